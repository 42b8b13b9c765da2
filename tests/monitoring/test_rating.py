"""Traffic lights and charts: pure functions, no database."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from opennrm.monitoring.charts import ChartSpec, Series, png, svg
from opennrm.monitoring.rating import Light, burn_light, indicator_light, progress

D = Decimal


def test_an_indicator_on_schedule_is_green() -> None:
    assert indicator_light(baseline=D(0), target=D(100), actual=D(50), elapsed=D("0.5")) == "green"


def test_an_indicator_at_two_thirds_of_the_expected_progress_is_amber() -> None:
    assert indicator_light(baseline=D(0), target=D(90), actual=D(30), elapsed=D("0.5")) == "amber"


def test_an_indicator_far_behind_the_calendar_is_red() -> None:
    assert indicator_light(baseline=D(0), target=D(100), actual=D(10), elapsed=D("0.8")) == "red"


def test_an_indicator_without_a_value_has_no_light() -> None:
    assert indicator_light(baseline=D(0), target=D(10), actual=None, elapsed=D(1)) == Light.NONE


def test_progress_counts_from_the_baseline() -> None:
    assert progress(D(20), D(60), D(40)) == D("0.5")


@given(
    baseline=st.integers(0, 100),
    span=st.integers(1, 1000),
    elapsed=st.decimals(min_value=0, max_value=1, places=2),
)
def test_reaching_the_target_is_always_green(baseline: int, span: int, elapsed: Decimal) -> None:
    target = D(baseline + span)
    assert (
        indicator_light(baseline=D(baseline), target=target, actual=target, elapsed=elapsed)
        == Light.GREEN
    )


def test_spending_in_step_with_time_is_green_and_far_behind_is_red() -> None:
    assert burn_light(spent_share=D("0.45"), elapsed=D("0.5")) == Light.GREEN
    assert burn_light(spent_share=D("0.30"), elapsed=D("0.5")) == Light.AMBER
    assert burn_light(spent_share=D("0.10"), elapsed=D("0.5")) == Light.RED


SPEC = ChartSpec(
    title="Coverage <labour>",
    labels=("Q1", "Q2", "Q3"),
    series=(Series("Inspectors", (10.0, None, 83.0)),),
    percent=True,
)


def test_the_svg_chart_escapes_text_and_draws_one_bar_per_value() -> None:
    drawn = svg(SPEC)
    assert drawn.startswith("<svg")
    assert drawn.endswith("</svg>")
    assert "<title>Coverage &lt;labour&gt;</title>" in drawn
    assert drawn.count("<rect") == 2 + 1  # two bars (one value missing) and one legend key


def test_the_png_chart_is_a_png_with_coloured_pixels() -> None:
    from io import BytesIO

    from PIL import Image

    data = png(SPEC)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(BytesIO(data)).convert("RGB")
    colours = {
        image.getpixel((x, y)) for x in range(0, image.width, 7) for y in range(0, image.height, 7)
    }
    assert (0x1D, 0x4E, 0x89) in colours  # the first series' blue
