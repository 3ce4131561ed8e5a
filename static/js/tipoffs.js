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
      }, function () { status.textContent = "✕"; }, { enableHighAccuracy: true, timeout: 10000 });
    });
  }
})();

// A minimal slippy map (no library, no CDN): only when the deployment configured a tile URL
// (TIPOFFS_MAP_TILE_URL, e.g. its own tile server "https://tiles.example.gov.cn/{z}/{x}/{y}.png").
// Clicking or pressing Enter on the map sets the coordinates; arrow keys pan, +/- zoom.
(function () {
  "use strict";
  var el = document.getElementById("tipoff-map");
  if (!el) return;
  var template = el.getAttribute("data-tiles");
  var lat = parseFloat(el.getAttribute("data-lat") || "26.5853");
  var lon = parseFloat(el.getAttribute("data-lon") || "101.7180");
  var zoom = 14;
  var form = el.closest("form");
  var latInput = form.querySelector("input[name='latitude']");
  var lonInput = form.querySelector("input[name='longitude']");
  var status = document.getElementById("location-status");
  el.tabIndex = 0;
  el.setAttribute("role", "application");
  el.style.position = "relative";
  el.style.overflow = "hidden";
  function project(la, lo, z) {
    var n = Math.pow(2, z) * 256;
    var s = Math.sin(la * Math.PI / 180);
    return { x: (lo + 180) / 360 * n, y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n };
  }
  function unproject(x, y, z) {
    var n = Math.pow(2, z) * 256;
    var lo = x / n * 360 - 180;
    var la = Math.atan(Math.sinh(Math.PI * (1 - 2 * y / n))) * 180 / Math.PI;
    return { lat: la, lon: lo };
  }
  function draw() {
    el.innerHTML = "";
    var w = el.clientWidth, h = el.clientHeight;
    var c = project(lat, lon, zoom);
    var x0 = c.x - w / 2, y0 = c.y - h / 2;
    for (var tx = Math.floor(x0 / 256); tx <= Math.floor((x0 + w) / 256); tx++) {
      for (var ty = Math.floor(y0 / 256); ty <= Math.floor((y0 + h) / 256); ty++) {
        var img = document.createElement("img");
        img.alt = "";
        img.src = template.replace("{z}", zoom).replace("{x}", tx).replace("{y}", ty);
        img.style.cssText = "position:absolute;width:256px;height:256px;left:" + (tx * 256 - x0) + "px;top:" + (ty * 256 - y0) + "px";
        el.appendChild(img);
      }
    }
    if (latInput.value) {
      var m = project(parseFloat(latInput.value), parseFloat(lonInput.value), zoom);
      var pin = document.createElement("span");
      pin.textContent = "📍";
      pin.setAttribute("aria-hidden", "true");
      pin.style.cssText = "position:absolute;font-size:28px;transform:translate(-50%,-100%);left:" + (m.x - x0) + "px;top:" + (m.y - y0) + "px";
      el.appendChild(pin);
    }
  }
  function setPoint(p) {
    latInput.value = p.lat.toFixed(6);
    lonInput.value = p.lon.toFixed(6);
    if (status) status.textContent = p.lat.toFixed(5) + ", " + p.lon.toFixed(5);
    draw();
  }
  el.addEventListener("click", function (ev) {
    var r = el.getBoundingClientRect();
    var c = project(lat, lon, zoom);
    setPoint(unproject(c.x - el.clientWidth / 2 + ev.clientX - r.left, c.y - el.clientHeight / 2 + ev.clientY - r.top, zoom));
  });
  el.addEventListener("keydown", function (ev) {
    var c = project(lat, lon, zoom), step = 64, p;
    if (ev.key === "ArrowLeft") c.x -= step; else if (ev.key === "ArrowRight") c.x += step;
    else if (ev.key === "ArrowUp") c.y -= step; else if (ev.key === "ArrowDown") c.y += step;
    else if (ev.key === "+" || ev.key === "=") { zoom = Math.min(18, zoom + 1); draw(); ev.preventDefault(); return; }
    else if (ev.key === "-") { zoom = Math.max(3, zoom - 1); draw(); ev.preventDefault(); return; }
    else if (ev.key === "Enter") { setPoint({ lat: lat, lon: lon }); ev.preventDefault(); return; }
    else return;
    ev.preventDefault();
    p = unproject(c.x, c.y, zoom);
    lat = p.lat; lon = p.lon;
    draw();
  });
  draw();
})();
