// 环境污染举报 form enhancements; the form works without them.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid='tipoff-form']");
  if (!form) return;
  var category = form.querySelector("select[name='category']");
  function update() {
    var id = category ? category.value : "";
    form.querySelectorAll(".urgent-notice[data-category-id]").forEach(function (el) {
      el.hidden = el.getAttribute("data-category-id") !== id;
    });
    form.querySelectorAll(".extra-question").forEach(function (el) {
      el.hidden = el.getAttribute("data-category-id") !== id;
    });
  }
  if (category) { category.addEventListener("change", update); update(); }

  var radios = form.querySelectorAll("input[name='confidentiality']");
  var realName = document.getElementById("real-name-fields");
  function toggleIdentity() {
    var checked = form.querySelector("input[name='confidentiality']:checked");
    if (realName) realName.hidden = checked && checked.value === "anonymous";
  }
  radios.forEach(function (r) { r.addEventListener("change", toggleIdentity); });
  toggleIdentity();

  var button = document.getElementById("use-location");
  var status = document.getElementById("location-status");
  if (button && "geolocation" in navigator) {
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.getAttribute("data-wait") || "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("input[name='latitude']").value = pos.coords.latitude.toFixed(6);
        form.querySelector("input[name='longitude']").value = pos.coords.longitude.toFixed(6);
        status.textContent = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
        form.dispatchEvent(new CustomEvent("tipoff:located"));
      }, function () { status.textContent = "✕"; }, { enableHighAccuracy: true, timeout: 10000 });
    });
  }
})();

// The map picker (Leaflet, vendored in static/vendor/leaflet/): only when the deployment
// configured tiles (TIPOFFS_MAP_TILE_URL, e.g. 天地图 vector + label layers). Tapping the map, or
// Enter after moving it with the arrow keys, sets the latitude/longitude fields.
(function () {
  "use strict";
  var el = document.getElementById("tipoff-map");
  if (!el || typeof window.L === "undefined") return;
  var L = window.L;
  var form = el.closest("form");
  var latInput = form.querySelector("input[name='latitude']");
  var lonInput = form.querySelector("input[name='longitude']");
  var status = document.getElementById("location-status");
  var centre = [parseFloat(el.getAttribute("data-lat")), parseFloat(el.getAttribute("data-lon"))];
  var map = L.map(el, { center: centre, zoom: 14, keyboard: true });
  var options = {
    subdomains: el.getAttribute("data-subdomains") || "abc",
    maxZoom: 18,
    attribution: el.getAttribute("data-attribution") || "",
  };
  L.tileLayer(el.getAttribute("data-tiles"), options).addTo(map);
  if (el.getAttribute("data-labels")) {
    L.tileLayer(el.getAttribute("data-labels"), { subdomains: options.subdomains, maxZoom: 18 }).addTo(map);
  }
  map.attributionControl.setPrefix(false);
  var marker = null;
  function setPoint(latlng) {
    latInput.value = latlng.lat.toFixed(6);
    lonInput.value = latlng.lng.toFixed(6);
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng, { keyboard: false }).addTo(map);
    if (status) status.textContent = latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5);
    form.dispatchEvent(new CustomEvent("tipoff:place"));
  }
  if (latInput.value && lonInput.value) {
    setPoint(L.latLng(parseFloat(latInput.value), parseFloat(lonInput.value)));
    map.setView(marker.getLatLng());
  }
  map.on("click", function (ev) { setPoint(ev.latlng); });
  el.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { setPoint(map.getCenter()); ev.preventDefault(); }
  });
  form.addEventListener("tipoff:located", function () {
    setPoint(L.latLng(parseFloat(latInput.value), parseFloat(lonInput.value)));
    map.setView(marker.getLatLng(), 16);
  });
})();

// Before sending: open reports of the same category nearby (by the point when there is one,
// else in the chosen sub-district), from /tipoffs/nearby, anonymised. Works without the map.
(function () {
  "use strict";
  var box = document.getElementById("nearby");
  if (!box || !window.fetch) return;
  var form = box.closest("form");
  var list = box.querySelector("[data-nearby-list]");
  var none = box.querySelector("[data-nearby-none]");
  var timer = null;
  var last = "";
  function field(name) { var f = form.querySelector("[name='" + name + "']"); return f ? f.value : ""; }
  function render(results) {
    list.textContent = "";
    results.forEach(function (r) {
      var li = document.createElement("li");
      li.className = "nearby__item";
      var title = document.createElement("strong");
      title.textContent = r.category + " · " + r.subdistrict + (r.place ? " · " + r.place : "");
      li.appendChild(title);
      li.appendChild(document.createTextNode(" (" + r.month + ", " + r.state + ") "));
      if (r.url) {
        var a = document.createElement("a");
        a.href = r.url;
        a.textContent = box.getAttribute("data-answered");
        li.appendChild(a);
      } else {
        var span = document.createElement("span");
        span.className = "badge";
        span.textContent = box.getAttribute("data-open");
        li.appendChild(span);
      }
      list.appendChild(li);
    });
    none.hidden = results.length > 0;
    box.hidden = false;
  }
  function check() {
    var params = new URLSearchParams();
    params.set("category", field("category"));
    params.set("subdistrict", field("subdistrict"));
    if (field("latitude") && field("longitude")) {
      params.set("lat", field("latitude"));
      params.set("lon", field("longitude"));
    }
    if (!params.get("category") || (!params.get("subdistrict") && !params.get("lat"))) { box.hidden = true; return; }
    var query = params.toString();
    if (query === last) return;
    last = query;
    fetch(box.getAttribute("data-url") + "?" + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) render(data.results || []); })
      .catch(function () { /* offline: the form still works */ });
  }
  function soon() { clearTimeout(timer); timer = setTimeout(check, 250); }
  ["category", "subdistrict"].forEach(function (name) {
    var f = form.querySelector("[name='" + name + "']");
    if (f) f.addEventListener("change", soon);
  });
  form.addEventListener("tipoff:place", soon);
  form.addEventListener("tipoff:located", soon);
  check();
})();

// While the resident types the unit they report: the matching entries of each aid (the
// enterprise disclosure list: latest reports and monitoring), from the aid's look-up URL. The
// markup is the server's (tipoffs/_aid_card.html); without this script the form sent back shows
// the same matches, and the list link is always there.
(function () {
  "use strict";
  var input = document.querySelector("[data-testid='tipoff-form'] input[name='reported_party']");
  var boxes = document.querySelectorAll("[data-party-aid]");
  if (!input || !boxes.length || !window.fetch) return;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }
  function link(text, url) {
    var a = el("a", "", text);
    a.href = url;
    return a;
  }
  function card(data) {
    var li = el("li", "aid-card");
    li.setAttribute("data-testid", "aid-card");
    var title = el("h3", "aid-card__title");
    title.appendChild(link(data.title, data.url));
    li.appendChild(title);
    if (data.meta && data.meta.length) {
      var meta = el("p", "aid-card__meta");
      data.meta.forEach(function (m) { meta.appendChild(el("span", "", m)); });
      li.appendChild(meta);
    }
    var dl = el("dl", "aid-card__lines");
    (data.lines || []).forEach(function (line) {
      var row = el("div", "aid-line" + (line.warn ? " aid-line--warn" : ""));
      row.appendChild(el("dt", "", line.label));
      var dd = el("dd", "", line.text);
      (line.marks || []).forEach(function (m) {
        dd.appendChild(document.createTextNode(" "));
        dd.appendChild(el("span", "badge badge--late", m));
      });
      (line.links || []).forEach(function (l) {
        dd.appendChild(document.createTextNode(" "));
        dd.appendChild(link(l.text, l.url));
      });
      row.appendChild(dd);
      dl.appendChild(row);
    });
    li.appendChild(dl);
    return li;
  }

  function setUp(box) {
    var list = box.querySelector("[data-aid-list]");
    var summary = box.querySelector("[data-aid-summary]");
    var listLink = box.querySelector("[data-aid-list-link]");
    var min = parseInt(box.getAttribute("data-min"), 10) || 2;
    var max = parseInt(box.getAttribute("data-max"), 10) || 128;
    var timer = null;
    var last = null;
    var pending = null;
    function show(data) {
      list.textContent = "";
      (data.results || []).forEach(function (r) { list.appendChild(card(r.card)); });
      summary.textContent = data.results && data.results.length ? data.summary : box.getAttribute("data-none");
      if (listLink) listLink.href = data.more_url || data.list_url || listLink.href;
      box.hidden = false;
    }
    function check() {
      var q = input.value.replace(/\s+/g, " ").trim();
      if (q.length < min || q.length > max) {
        last = null;
        box.hidden = true;
        return;
      }
      if (q === last) return;
      last = q;
      if (pending && pending.abort) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      fetch(box.getAttribute("data-url") + "?" + new URLSearchParams({ q: q }).toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: pending ? pending.signal : undefined,
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && q === last) show(data); })
        .catch(function () { /* offline or superseded: the form still works */ });
    }
    function soon() { clearTimeout(timer); timer = setTimeout(check, 350); }
    input.addEventListener("input", function (ev) { if (!ev.isComposing) soon(); });
    input.addEventListener("compositionend", soon);
    input.addEventListener("change", soon);
    // A value the browser kept (going back to the form) without the server's matches.
    if (input.value && box.hidden) check();
  }
  boxes.forEach(setUp);
})();
