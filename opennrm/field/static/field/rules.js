// The screening rule on the device: the same rule table as the server (catalogues.json, built by
// opennrm/field/catalogue.py from the stored catalogue) evaluated step by step as
// opennrm/screening/engine.py evaluate() does, and worded with the server's own translated
// sentences as opennrm/screening/explain.py explain() does. tests/e2e/test_field_rules.py runs
// both sides on generated answers and requires identical results; change them together.
(function (root) {
  "use strict";
  var STRENGTHS = ["strong", "medium", "weak"];
  var COUNT_KEYS = ["strong", "medium", "weak", "medium_or_weak"];
  var DIMENSIONS = [
    "deceptive_recruitment", "coercive_recruitment", "recruitment_abuse_of_vulnerability",
    "exploitation", "coercion_at_destination", "abuse_of_vulnerability_at_destination"
  ];
  var POSITIVE = "indicators_of_trafficking";
  var NEGATIVE = "insufficient_indicators";

  function count(counts, key) {
    if (key === "medium_or_weak") { return (counts.medium || 0) + (counts.weak || 0); }
    return counts[key] || 0;
  }
  function metBy(combination, counts) {
    return Object.keys(combination.minimum).every(function (k) {
      return count(counts, k) >= combination.minimum[k];
    });
  }
  function shortfall(combination, counts) {
    var short = {};
    Object.keys(combination.minimum).forEach(function (k) {
      short[k] = Math.max(0, combination.minimum[k] - count(counts, k));
    });
    var either = short.medium_or_weak || 0;
    delete short.medium_or_weak;
    var covered = (short.medium || 0) + (short.weak || 0);
    if (either > covered) { short.medium_or_weak = either - covered; }
    var out = {};
    Object.keys(short).forEach(function (k) { if (short[k]) { out[k] = short[k]; } });
    return out;
  }
  function cost(short) {
    var total = 0;
    Object.keys(short).forEach(function (k) { total += short[k]; });
    return [total, short.strong || 0];
  }
  function cheaper(a, b) { return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]); }
  function cheapestShortfall(combinations, counts, specs) {
    var available = {};
    STRENGTHS.forEach(function (s) {
      available[s] = specs.filter(function (i) { return i.strength === s; }).length - (counts[s] || 0);
    });
    var best = null;
    combinations.forEach(function (combination) {
      var short = shortfall(combination, counts);
      var needMw = short.medium_or_weak || 0;
      var feasible = Object.keys(short).every(function (k) {
        return STRENGTHS.indexOf(k) < 0 || (available[k] || 0) >= short[k];
      }) && (available.medium - (short.medium || 0) + available.weak - (short.weak || 0) >= needMw);
      if (feasible && (best === null || cheaper(cost(short), cost(best)))) { best = short; }
    });
    return best || {};
  }

  // catalogue: one entry of catalogues.json "lists"; answers: code -> present/absent/unknown.
  function evaluate(catalogue, answers) {
    var rank = { strong: 0, medium: 1, weak: 2 };
    var combinations = catalogue.rules.combinations;
    var dimensions = [];
    var gaps = [];
    DIMENSIONS.forEach(function (dimension) {
      var specs = catalogue.indicators.filter(function (i) { return i.dimension === dimension; });
      var present = specs.filter(function (i) { return answers[i.code] === "present"; });
      var unknown = specs.filter(function (i) { return answers[i.code] === "unknown"; })
        .map(function (i) { return i.code; });
      gaps = gaps.concat(unknown);
      var counts = {};
      STRENGTHS.forEach(function (s) {
        counts[s] = present.filter(function (i) { return i.strength === s; }).length;
      });
      var matched = null;
      for (var c = 0; c < combinations.length; c++) {
        if (metBy(combinations[c], counts)) { matched = combinations[c]; break; }
      }
      // Array.prototype.sort is stable, as Python's sorted(): catalogue order within a strength.
      var ordered = present.slice().sort(function (a, b) { return rank[a.strength] - rank[b.strength]; })
        .map(function (i) { return i.code; });
      dimensions.push({
        dimension: dimension,
        counts: counts,
        positive: matched !== null,
        rule: matched ? matched.name : null,
        deciding: matched ? ordered : [],
        present: ordered,
        unknown: unknown,
        missing: matched ? {} : cheapestShortfall(combinations, counts, specs)
      });
    });
    var positive = dimensions.filter(function (d) { return d.positive; })
      .map(function (d) { return d.dimension; });
    var required = catalogue.rules.required.map(function (g) { return g.slice(); });
    var unmet = required.filter(function (group) {
      return !group.some(function (d) { return positive.indexOf(d) >= 0; });
    });
    return {
      list: catalogue.list,
      verified: catalogue.verified,
      outcome: unmet.length ? NEGATIVE : POSITIVE,
      dimensions: dimensions,
      required: required,
      unmet: unmet,
      gaps: gaps
    };
  }

  // Python's "%(name)s" / "%(name)d" formatting, for the server's translated sentences.
  function format(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (all, name) { return String(values[name]); });
  }
  function join(words, template, parts) {
    var text = parts[0];
    for (var i = 1; i < parts.length; i++) { text = format(words[template], { first: text, second: parts[i] }); }
    return text;
  }
  function order(minimum) {
    return Object.keys(minimum).sort(function (a, b) { return COUNT_KEYS.indexOf(a) - COUNT_KEYS.indexOf(b); })
      .map(function (k) { return [k, minimum[k]]; });
  }
  function amount(words, key, n) { return words.amounts[key][n]; }
  function combinationText(words, name, minimum) {
    var parts = order(minimum).map(function (kv) { return amount(words, kv[0], kv[1]); });
    return format(words.rule, { name: name, what: join(words, "and", parts) });
  }
  function dimensionText(words, item, rules) {
    var counts = item.counts;
    if (item.positive) {
      var combination = rules.combinations.filter(function (c) { return c.name === item.rule; })[0];
      return format(words.positive_by, { rule: combinationText(words, combination.name, combination.minimum) });
    }
    var present = (counts.strong || counts.medium || counts.weak)
      ? format(words.present, counts) : words.no_present;
    if (Object.keys(item.missing).length) {
      var needed = join(words, "and", order(item.missing).map(function (kv) { return amount(words, kv[0], kv[1]); }));
      return format(words.needs, { present: present, needed: needed });
    }
    return format(words.never, { present: present });
  }

  // result: evaluate()'s output; words: catalogues.json "wording"[language]; labels: code -> label.
  function explain(result, words, labels, rules, ageGroup) {
    var dimLabel = function (d) { return words.dimensions[d]; };
    var ref = function (c) { return { code: c, label: labels[c] || c }; };
    var dimensions = result.dimensions.map(function (item) {
      return {
        dimension: item.dimension,
        label: dimLabel(item.dimension),
        positive: item.positive,
        counts: item.counts,
        text: dimensionText(words, item, rules),
        deciding: item.deciding.map(ref),
        unknown: item.unknown.map(ref)
      };
    });
    var groups = result.required.map(function (group) { return "(" + join(words, "or", group.map(dimLabel)) + ")"; });
    var notes = [];
    if (result.list.indexOf("child_") === 0) { notes.push(words.note_child); }
    if (ageGroup === "presumed_child") { notes.push(words.note_presumed); }
    if (result.verified === false) { notes.push(words.note_unverified); }
    if (result.gaps && result.gaps.length) { notes.push(words.gaps[result.gaps.length]); }
    var positive = result.outcome === POSITIVE;
    return {
      list_name: result.list,
      list_label: words.lists[result.list],
      verified: result.verified !== false,
      positive: positive,
      headline: positive ? words.headline_positive : words.headline_negative,
      dimensions: dimensions,
      requirement: format(words.requirement, { groups: join(words, "and", groups) }),
      missing: result.unmet.map(function (group) {
        return format(words.missing, { names: join(words, "or", group.map(dimLabel)) });
      }),
      notes: notes
    };
  }

  // As the server's explain().as_dict(): what the tests compare.
  function explanationAsDict(e) {
    return {
      headline: e.headline,
      requirement: e.requirement,
      missing: e.missing,
      notes: e.notes,
      dimensions: e.dimensions.map(function (d) {
        return {
          dimension: d.dimension, label: d.label, positive: d.positive, text: d.text,
          deciding: d.deciding.map(function (r) { return r.code; }),
          unknown: d.unknown.map(function (r) { return r.code; })
        };
      })
    };
  }

  // At submission the server counts an unanswered question as "not known"; so does the device.
  function completeAnswers(catalogue, answers) {
    var all = {};
    catalogue.indicators.forEach(function (i) { all[i.code] = answers[i.code] || "unknown"; });
    return all;
  }

  root.OpenNRMRules = {
    evaluate: evaluate, explain: explain, explanationAsDict: explanationAsDict,
    completeAnswers: completeAnswers, POSITIVE: POSITIVE, NEGATIVE: NEGATIVE
  };
})(typeof self !== "undefined" ? self : this);
