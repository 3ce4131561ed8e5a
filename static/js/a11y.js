// 无障碍 toolbar (适老化): text size steps, 适老模式, high contrast, large cursor, wider line
// spacing and 读屏 (read aloud through the browser's own speechSynthesis), plus the collapsible
// menu and search on a phone. Settings live in localStorage ("portal.a11y") and are applied
// before the first paint by a11y-init.js. No cookie, no request: pages stay cacheable.
(function () {
  "use strict";
  var KEY = "portal.a11y";
  var SIZES = [100, 112.5, 125, 150, 175, 200]; // percent of 16px; step 5 = 200% (GB/T 37668, WCAG 1.4.4)
  var TOGGLES = { elderly: "elderly", contrast: "a11y-contrast", cursor: "a11y-cursor", spacing: "a11y-spacing" };
  var root = document.documentElement;

  function load() {
    var prefs;
    try { prefs = JSON.parse(window.localStorage.getItem(KEY) || "null"); } catch (e) { prefs = null; }
    return prefs && typeof prefs === "object" ? prefs : {};
  }
  function save(prefs) {
    try { window.localStorage.setItem(KEY, JSON.stringify(prefs)); } catch (e) { /* private mode: this page only */ }
  }
  var prefs = load();

  function apply() {
    var size = Math.max(0, Math.min(SIZES.length - 1, parseInt(prefs.size, 10) || 0));
    for (var i = 1; i < SIZES.length; i++) root.classList.toggle("a11y-size-" + i, i === size);
    Object.keys(TOGGLES).forEach(function (name) {
      root.classList.toggle(TOGGLES[name], prefs[name] === true);
      document.querySelectorAll("[data-a11y-toggle='" + name + "']").forEach(function (b) {
        b.setAttribute("aria-pressed", prefs[name] === true ? "true" : "false");
      });
    });
    document.querySelectorAll("[data-a11y-size]").forEach(function (o) { o.textContent = SIZES[size] + "%"; });
    document.querySelectorAll("[data-a11y='smaller']").forEach(function (b) { b.disabled = size === 0; });
    document.querySelectorAll("[data-a11y='larger']").forEach(function (b) { b.disabled = size === SIZES.length - 1; });
  }

  // --- 读屏: read the selection, or the main content, aloud -----------------------------------
  var speech = window.speechSynthesis;
  var speaking = false;
  function setSpeaking(on) {
    speaking = on;
    document.querySelectorAll("[data-a11y='stop']").forEach(function (b) { b.disabled = !on; });
  }
  function chunks(text) {
    // Browsers cut long utterances short: speak sentence by sentence.
    var parts = text.replace(/\s+/g, " ").split(/(?<=[。！？；.!?;])\s*/);
    var out = [], current = "";
    parts.forEach(function (p) {
      if ((current + p).length > 180 && current) { out.push(current); current = ""; }
      current += p;
    });
    if (current.trim()) out.push(current);
    return out;
  }
  function voiceFor(lang) {
    var voices = speech.getVoices() || [];
    var want = lang.indexOf("zh") === 0 ? "zh-CN" : lang;
    var exact = voices.filter(function (v) { return v.lang.replace("_", "-").toLowerCase() === want.toLowerCase(); });
    if (exact.length) return exact[0];
    var prefix = want.split("-")[0].toLowerCase();
    var near = voices.filter(function (v) { return v.lang.toLowerCase().indexOf(prefix) === 0; });
    return near.length ? near[0] : null;
  }
  function readAloud() {
    if (!speech) return;
    speech.cancel();
    var selected = window.getSelection ? String(window.getSelection()) : "";
    var main = document.getElementById("main");
    var text = selected.trim() || (main ? main.innerText : "");
    if (!text.trim()) return;
    var lang = (root.getAttribute("lang") || "zh-hans").indexOf("zh") === 0 ? "zh-CN" : "en-GB";
    var voice = voiceFor(lang);
    var list = chunks(text);
    setSpeaking(true);
    list.forEach(function (part, index) {
      var u = new SpeechSynthesisUtterance(part);
      u.lang = lang;
      if (voice) u.voice = voice;
      u.rate = 0.9;
      if (index === list.length - 1) {
        u.onend = function () { setSpeaking(false); };
      }
      u.onerror = function () { setSpeaking(false); };
      speech.speak(u);
    });
  }
  function stopReading() {
    if (speech) speech.cancel();
    setSpeaking(false);
  }

  // --- the toolbar ------------------------------------------------------------------------------
  var toolbar = document.getElementById("a11y-toolbar");
  var opener = document.querySelector(".a11y-open");
  function openToolbar(open) {
    if (!toolbar || !opener) return;
    toolbar.hidden = !open;
    opener.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      var first = toolbar.querySelector("button:not([disabled])");
      if (first) first.focus();
    } else {
      opener.focus();
    }
  }
  if (toolbar && opener) {
    opener.hidden = false;
    if (speech && window.SpeechSynthesisUtterance) {
      toolbar.querySelectorAll("[data-a11y-speech]").forEach(function (g) { g.hidden = false; });
    }
    opener.addEventListener("click", function () { openToolbar(toolbar.hidden); });
    toolbar.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { openToolbar(false); }
    });
    toolbar.addEventListener("click", function (ev) {
      var button = ev.target.closest("button");
      if (!button || button.disabled) return;
      var action = button.getAttribute("data-a11y");
      var toggle = button.getAttribute("data-a11y-toggle");
      var size = parseInt(prefs.size, 10) || 0;
      if (toggle) {
        prefs[toggle] = !(prefs[toggle] === true);
        // 适老模式 brings at least the 125% step with it (the 适老化 规范's larger text).
        if (toggle === "elderly" && prefs.elderly && size < 2) prefs.size = 2;
        if (toggle === "elderly" && !prefs.elderly && size === 2) prefs.size = 0;
      } else if (action === "larger") {
        prefs.size = Math.min(SIZES.length - 1, size + 1);
      } else if (action === "smaller") {
        prefs.size = Math.max(0, size - 1);
      } else if (action === "reset") {
        prefs = {};
        stopReading();
      } else if (action === "read") {
        readAloud();
        return;
      } else if (action === "stop") {
        stopReading();
        return;
      } else if (action === "close") {
        openToolbar(false);
        return;
      } else {
        return;
      }
      save(prefs);
      apply();
    });
    // Keep the selection: pressing a toolbar button must not clear what the visitor selected.
    toolbar.addEventListener("mousedown", function (ev) {
      if (ev.target.closest("[data-a11y='read']")) ev.preventDefault();
    });
  }
  window.addEventListener("pagehide", stopReading);

  // A form sent back with errors: its error summary takes the focus, so screen readers announce
  // it and the keyboard starts there; its links move to the fields.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (ev) {
      var link = ev.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      ev.preventDefault();
      field.scrollIntoView({ block: "center" });
      var focusable = field.matches("input, select, textarea") ? field : field.querySelector("input, select, textarea");
      (focusable || field).focus();
    });
  }
  apply();

  // --- the phone header: menu and search behind buttons (CSS shows these buttons ≤ 640px) -------
  document.querySelectorAll(".header-toggle[aria-controls]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (!target) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      target.classList.toggle("is-open", open);
      if (open) {
        var focusable = target.querySelector("input, a, button");
        if (focusable) focusable.focus();
      }
    });
  });
})();
