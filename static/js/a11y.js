/* Keyboard and screen-reader support for the pages' htmx parts (WCAG 2.1 AA: 2.1.1, 2.4.3,
   3.2.2, 4.1.3). Served from our own origin, so the Content-Security-Policy stays strict. */
(function () {
  "use strict";

  var live = function () { return document.getElementById("live-region"); };
  var PERSON_ASKED = ["click", "submit", "change", "keydown", "keyup", "input", "search"];

  /* Say something politely, once, to screen readers. */
  function announce(text) {
    var region = live();
    if (!region || !text) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  /* A region that scrolls on its own (a wide table on a phone, a long source text, a chart)
     must be reachable and named for a keyboard user. */
  function markScrollable(root) {
    var nodes = (root || document).querySelectorAll("[data-scroll-region], .table-wrap, .trend-chart, .source-text, .sheet-scroll");
    Array.prototype.forEach.call(nodes, function (node) {
      var scrolls = node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1;
      if (!scrolls || node.hasAttribute("tabindex")) { return; }
      node.setAttribute("tabindex", "0");
      if (!node.getAttribute("role")) { node.setAttribute("role", "region"); }
      if (!node.getAttribute("aria-label") && !node.getAttribute("aria-labelledby")) {
        var caption = node.querySelector("caption");
        var section = node.closest("section, figure, .card");
        var heading = section && section.querySelector("h1, h2, h3, figcaption");
        var name = node.getAttribute("data-scroll-region") || (caption && caption.textContent) || (heading && heading.textContent) || document.title;
        node.setAttribute("aria-label", name.trim().replace(/\s+/g, " "));
      }
    });
  }

  /* The tree of units: a button opens and closes a branch (its children load once). */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-tree-toggle]");
    if (!button) { return; }
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    if (panel) { panel.hidden = !open; }
  });

  /* While a part of the page loads, it is busy; when it has loaded, focus goes to its heading
     (for a swap a person asked for, not for the bell's polling), and what it says is heard. */
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target) { target.setAttribute("aria-busy", "true"); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target) { target.removeAttribute("aria-busy"); }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var elt = event.detail.elt;
    var target = event.detail.target;
    var region = target && target.isConnected ? target : (target && target.id ? document.getElementById(target.id) : elt);
    if (!region) { return; }
    region.removeAttribute("aria-busy");
    markScrollable(region);
    var message = region.querySelector("[data-announce]");
    if (message) { announce(message.getAttribute("data-announce") || message.textContent); }
    // Only a swap a person asked for moves the focus: not one loaded on its own ("load",
    // "revealed", polling), which would pull the focus away from what they are doing.
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (!trigger || PERSON_ASKED.indexOf(trigger.type) < 0 || region.hasAttribute("data-no-focus")) { return; }
    var focus = region.querySelector("[data-focus-after-swap]") || region.querySelector("h1, h2, h3") || region;
    if (!focus.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(focus.tagName)) {
      focus.setAttribute("tabindex", "-1");
    }
    focus.focus({ preventScroll: false });
  });
  document.addEventListener("htmx:responseError", function () {
    announce(document.documentElement.lang === "vi" ? "Không lưu được. Hãy thử lại." : "That did not work. Please try again.");
  });

  document.addEventListener("DOMContentLoaded", function () { markScrollable(document); });
  window.addEventListener("resize", function () { markScrollable(document); });
})();
