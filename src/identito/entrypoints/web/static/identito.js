/* identito: keyboard access to what scrolls sideways (WCAG 2.1.1, axe rule
   scrollable-region-focusable). A wide table or chart on a narrow screen scrolls inside its
   .table-wrap / .chart-wrap: while it overflows, the wrapper is a named region in the tab
   order, so that the arrow keys scroll it; where nothing overflows, no tab stop is added. */
(function () {
  "use strict";
  var SELECTOR = ".table-wrap, .chart-wrap";

  function nameOf(region) {
    var caption = region.querySelector("caption, svg > title");
    var text = caption ? caption.textContent.trim() : "";
    var kind = region.classList.contains("chart-wrap") ? "Graphique" : "Tableau";
    return kind + (text ? " : " + text : "") + " (défilement horizontal)";
  }

  function update(region, names) {
    if (region.scrollWidth > region.clientWidth + 1) {
      var name = nameOf(region);
      names[name] = (names[name] || 0) + 1;  // each region named apart from the others
      region.setAttribute("tabindex", "0");
      region.setAttribute("role", "region");
      region.setAttribute("aria-label", names[name] > 1 ? name + " " + names[name] : name);
      region.setAttribute("data-defile", "1");
    } else if (region.hasAttribute("data-defile")) {
      ["tabindex", "role", "aria-label", "data-defile"].forEach(function (name) {
        region.removeAttribute(name);
      });
    }
  }

  function updateAll() {
    var names = {};
    document.querySelectorAll(SELECTOR).forEach(function (region) {
      update(region, names);
    });
  }

  document.addEventListener("DOMContentLoaded", updateAll);
  document.addEventListener("htmx:afterSettle", updateAll);
  window.addEventListener("resize", updateAll);
})();
