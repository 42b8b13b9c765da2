"""English as written in Europe (en-GB): day first, 24-hour clock, the month in words."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
from django.conf.locale.en_GB.formats import DATE_INPUT_FORMATS as _GB_DATE_INPUT_FORMATS

DATE_FORMAT = "j F Y"  # 1 June 2019
TIME_FORMAT = "H:i"  # 16:00
DATETIME_FORMAT = "j F Y, H:i"  # 1 June 2019, 16:00
SHORT_DATE_FORMAT = "d/m/Y"  # 01/06/2019
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 01/06/2019 16:00
# <input type="date"> sends ISO dates; typed dates are read day first.
DATE_INPUT_FORMATS = ["%Y-%m-%d", *_GB_DATE_INPUT_FORMATS]
