/* Export job page: poll the job's status JSON and update the progress bar, the status text and
 * the download link until the job is done or failed. Without JavaScript the page shows the
 * status at load time and a refresh link. No libraries. */
(function () {
  "use strict";

  var POLL_MS = 1000;
  var MAX_POLL_MS = 5000;

  function setHidden(element, hidden) {
    if (!element) return;
    if (hidden) {
      element.setAttribute("hidden", "");
    } else {
      element.removeAttribute("hidden");
    }
  }

  function formatSize(bytes) {
    if (bytes === null || bytes === undefined) return "";
    var units = ["B", "KB", "MB", "GB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return (unit === 0 ? String(value) : value.toFixed(1)) + " " + units[unit];
  }

  function render(root, data) {
    var progress = root.querySelector("[data-export-progress]");
    var percent = root.querySelector("[data-export-percent]");
    var status = root.querySelector("[data-export-status]");
    var message = root.querySelector("[data-export-message]");
    var download = root.querySelector("[data-export-download]");
    var link = root.querySelector("[data-export-link]");
    var filename = root.querySelector("[data-export-filename]");
    var details = root.querySelector("[data-export-details]");
    var refresh = root.querySelector("[data-export-refresh]");

    if (progress) {
      progress.value = data.progress;
      progress.textContent = data.progress + "%";
    }
    if (percent) percent.textContent = data.progress + "%";
    if (status && status.textContent !== data.status_label) status.textContent = data.status_label;
    if (message) {
      message.textContent = data.message || "";
      setHidden(message, !data.message);
    }
    root.setAttribute("data-status", data.status);
    if (data.download_url && link) {
      link.setAttribute("href", data.download_url);
      if (filename) filename.textContent = data.filename;
      if (details) details.textContent = formatSize(data.size) + " · SHA-256 " + data.sha256;
      setHidden(download, false);
    }
    setHidden(refresh, data.finished);
  }

  function poll(root, delay) {
    var url = root.getAttribute("data-status-url");
    window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          render(root, data);
          if (!data.finished) poll(root, POLL_MS);
        })
        .catch(function () {
          // Keep the refresh link; try again more slowly.
          poll(root, Math.min(delay * 2, MAX_POLL_MS));
        });
    }, delay);
  }

  function init() {
    var roots = document.querySelectorAll("[data-export-job][data-status-url]");
    Array.prototype.forEach.call(roots, function (root) {
      var status = root.getAttribute("data-status");
      if (status === "done" || status === "failed") return;
      poll(root, POLL_MS);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
