/* The resource listing's filters: facets combine with AND, values within a facet with OR.
   The URL query (?industry=retail&stage=mofu) holds the filter, so filtered links can be shared.
   A resource tagged for all industries ("all") matches every industry. No framework, no requests. */
(function () {
  "use strict";
  var form = document.querySelector("[data-abm-filters]");
  if (!form) return;
  var cards = Array.prototype.slice.call(document.querySelectorAll("[data-abm-results] .abm-card"));
  var count = form.querySelector("[data-abm-count]");
  var empty = document.querySelector("[data-abm-empty]");
  var facets = { industry: "industries", stage: "stage", type: "type", persona: "personas" };
  var panel = form.querySelector("[data-abm-filter-panel]");
  var toggle = form.querySelector("[data-abm-filter-toggle]");
  var chosenLabel = form.querySelector("[data-abm-chosen]");

  function chosen() {
    var result = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]:checked"), function (box) {
      (result[box.name] = result[box.name] || []).push(box.value);
    });
    return result;
  }

  function matches(card, facet, values) {
    var tags = (card.getAttribute("data-" + facets[facet]) || "").split(" ");
    return values.some(function (value) {
      return tags.indexOf(value) >= 0 || (facet === "industry" && tags.indexOf("all") >= 0);
    });
  }

  function apply(updateUrl) {
    var filter = chosen();
    var shown = 0;
    cards.forEach(function (card) {
      var visible = Object.keys(filter).every(function (facet) { return matches(card, facet, filter[facet]); });
      card.hidden = !visible;
      if (visible) shown += 1;
    });
    count.textContent = String(shown);
    var picked = form.querySelectorAll("input[type=checkbox]:checked").length;
    if (chosenLabel) chosenLabel.textContent = picked ? "已选 " + picked + " 项" : "";
    if (empty) empty.hidden = shown > 0;
    if (updateUrl) {
      var query = new URLSearchParams();
      Object.keys(facets).forEach(function (facet) {
        (filter[facet] || []).forEach(function (value) { query.append(facet, value); });
      });
      var search = query.toString();
      history.replaceState(null, "", location.pathname + (search ? "?" + search : "") + location.hash);
    }
  }

  var params = new URLSearchParams(location.search);
  Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (box) {
    params.getAll(box.name).forEach(function (values) {
      if (values.split(",").indexOf(box.value) >= 0) box.checked = true;
    });
  });
  form.addEventListener("change", function () { apply(true); });
  form.querySelector("[data-abm-clear]").addEventListener("click", function () {
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (box) { box.checked = false; });
    apply(true);
  });
  // On phones the facets fold into one "筛选资源" button so the results start on the first screen.
  function fold(folded) {
    panel.hidden = folded;
    toggle.setAttribute("aria-expanded", String(!folded));
  }
  toggle.addEventListener("click", function () { fold(!panel.hidden); });
  fold(window.matchMedia("(max-width: 44.984375em)").matches);
  form.hidden = false;
  apply(false);
})();
