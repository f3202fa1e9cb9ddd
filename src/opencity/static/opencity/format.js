// Numbers as people read them, one way per language (issue 14), as the server writes them
// (opencity/lib/numbers.py): Vietnamese "1.802" and "12,5%", English "1,802" and "12.5%".
// The page's <html lang> decides. Charts and live counters use OpenCity.format, never
// toLocaleString() without a language or a chart library's own formatting.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "vi";
  var cache = {};

  function formatter(places) {
    var key = String(places);
    if (!cache[key]) {
      cache[key] = new Intl.NumberFormat(lang, { minimumFractionDigits: places, maximumFractionDigits: places, useGrouping: true });
    }
    return cache[key];
  }

  // 1802 → "1.802"; number(12.345, 1) → "12,3"; places defaults to 0 for integers, 1 otherwise.
  function number(value, places) {
    if (value === null || value === undefined || value === "" || isNaN(Number(value))) { return "—"; }
    var n = Number(value);
    if (places === undefined) { places = Number.isInteger(n) ? 0 : 1; }
    return formatter(places).format(n);
  }

  // A value already in percent (12.5) → "12,5%"; places defaults to 1.
  function percent(value, places) {
    if (value === null || value === undefined || value === "" || isNaN(Number(value))) { return "—"; }
    return number(Number(value), places === undefined ? 1 : places) + "%";
  }

  window.OpenCity = window.OpenCity || {};
  window.OpenCity.format = { lang: lang, number: number, percent: percent };
})();
