// jikenbo UI enhancements. Every page works without this file; it only makes evidence
// links highlight their span in place and submits the sort menu on change.
(function () {
  "use strict";

  function marksFor(key) {
    var out = [];
    document.querySelectorAll("mark.ev").forEach(function (m) {
      if ((m.getAttribute("data-ev") || "").split(" ").indexOf(key) >= 0) { out.push(m); }
    });
    return out;
  }

  function activate(key, scroll) {
    document.querySelectorAll("mark.ev.active").forEach(function (m) { m.classList.remove("active"); });
    document.querySelectorAll(".evlink.active").forEach(function (a) { a.classList.remove("active"); });
    var marks = marksFor(key);
    marks.forEach(function (m) { m.classList.add("active"); });
    document.querySelectorAll('.evlink[data-ev="' + CSS.escape(key) + '"]').forEach(function (a) { a.classList.add("active"); });
    if (marks.length && scroll) {
      marks[0].scrollIntoView({block: "center", inline: "nearest"});
    }
    return marks.length > 0;
  }

  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a.evlink[data-ev]");
    if (!a) { return; }
    var key = a.getAttribute("data-ev");
    if (activate(key, true)) {
      ev.preventDefault();
      history.replaceState(null, "", "#ev-" + key);
    }
  });

  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.classList && el.classList.contains("autosubmit") && el.form) { el.form.submit(); }
  });

  // Facet counts of a big store may still be counting when the page is made: fetch them.
  function fillFacets() {
    var aside = document.querySelector("aside.facets[data-facets-url]");
    if (!aside || !window.fetch) { return; }
    fetch(aside.getAttribute("data-facets-url"), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        aside.querySelectorAll(".count[data-facet]").forEach(function (el) {
          var vals = data[el.getAttribute("data-facet")] || [];
          var v = el.getAttribute("data-value");
          var hit = vals.filter(function (x) { return String(x.value) === v; })[0];
          el.textContent = hit ? hit.count.toLocaleString() : "0";
        });
        var note = aside.querySelector(".pending");
        if (note) { note.remove(); }
      })
      .catch(function () { /* counts stay as they are */ });
  }

  function fromHash() {
    var h = decodeURIComponent(location.hash || "");
    if (h.indexOf("#ev-") === 0) { activate(h.slice(4), true); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { fromHash(); fillFacets(); });
  } else {
    fromHash();
    fillFacets();
  }
})();
