// Runs in <head> before the first paint: applies the visitor's 无障碍 settings, which
// static/js/a11y.js stores in this browser only (localStorage "portal.a11y"; never a cookie, so
// every anonymous page stays cacheable). Marks <html class="js"> for the collapsible phone header.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var prefs = null;
  try { prefs = JSON.parse(window.localStorage.getItem("portal.a11y") || "null"); } catch (e) { prefs = null; }
  if (!prefs || typeof prefs !== "object") return;
  var size = parseInt(prefs.size, 10);
  if (size > 0 && size <= 5) root.classList.add("a11y-size-" + size);
  ["elderly", "contrast", "cursor", "spacing"].forEach(function (name) {
    if (prefs[name] === true) root.classList.add(name === "elderly" ? "elderly" : "a11y-" + name);
  });
})();
