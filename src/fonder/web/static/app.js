/* fonder's pages, a little livelier: every page works without this file.
 *
 * - Add a chat: drop a file, zip or folder anywhere on the page (or choose one); it is sent
 *   to fonder on this computer with a progress bar, then the import page follows along.
 * - An import in progress: its stage and progress, polled, until it needs you or is done.
 * - Should I send this?: the draft is checked as you type (debounced; a newer draft cancels
 *   the older request).
 * - The report's charts: drawn with Plotly, served by fonder itself.
 *
 * Nothing here talks to anything but the page's own server.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute("content") : "";

  // ---- Add a chat -----------------------------------------------------------------------

  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") >= 0;
  }

  function readEntry(entry, prefix, out) {
    return new Promise(function (resolve) {
      if (entry.isFile) {
        entry.file(function (file) {
          out.push({ file: file, name: prefix + file.name });
          resolve();
        }, function () { resolve(); });
      } else if (entry.isDirectory) {
        var reader = entry.createReader();
        var children = [];
        var more = function () {
          reader.readEntries(function (batch) {
            if (!batch.length) {
              Promise.all(children.map(function (child) {
                return readEntry(child, prefix + entry.name + "/", out);
              })).then(resolve);
            } else {
              children = children.concat(Array.prototype.slice.call(batch));
              more();
            }
          }, function () { resolve(); });
        };
        more();
      } else {
        resolve();
      }
    });
  }

  function setupUpload() {
    var zone = document.querySelector("[data-dropzone]");
    if (!zone) { return; }
    var form = zone.querySelector("form[data-upload]");
    var error = form.querySelector("[data-upload-error]");
    var box = form.querySelector(".uploading");
    var bar = box.querySelector("progress");
    var max = parseInt(form.getAttribute("data-max-bytes"), 10) || Infinity;
    var busy = false;

    function fail(text) {
      error.textContent = text;
      error.hidden = false;
      box.hidden = true;
      busy = false;
      zone.classList.remove("is-busy");
    }

    function send(items) {
      if (busy) { return; }
      if (!items.length) { fail(form.getAttribute("data-empty")); return; }
      var total = items.reduce(function (n, it) { return n + it.file.size; }, 0);
      if (total > max) {
        var shown = items.length === 1 ? items[0].name : items[0].name.split("/")[0];
        fail(form.getAttribute("data-too-large").replace("{name}", shown));
        return;
      }
      busy = true;
      error.hidden = true;
      box.hidden = false;
      bar.value = 0;
      zone.classList.add("is-busy");
      var data = new FormData();
      data.append("csrf", token);  // before the files: the server checks it first
      items.forEach(function (it) { data.append("file", it.file, it.name); });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.setRequestHeader("X-CSRF-Token", token);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = e.loaded / e.total; }
      });
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300 && body && body.next) {
          window.location.assign(body.next);
          return;
        }
        fail((body && body.error) || form.getAttribute("data-broken"));
      });
      xhr.addEventListener("error", function () { fail(form.getAttribute("data-broken")); });
      xhr.send(data);
    }

    Array.prototype.forEach.call(form.querySelectorAll('input[type="file"]'), function (input) {
      input.addEventListener("change", function () {
        var items = Array.prototype.map.call(input.files, function (f) {
          return { file: f, name: f.webkitRelativePath || f.name };
        });
        if (items.length) { send(items); }
        input.value = "";
      });
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); });

    document.addEventListener("dragover", function (e) {
      if (!hasFiles(e)) { return; }
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
      zone.classList.add("is-over");
    });
    document.addEventListener("dragleave", function (e) {
      if (!e.relatedTarget) { zone.classList.remove("is-over"); }
    });
    document.addEventListener("drop", function (e) {
      if (!hasFiles(e)) { return; }
      e.preventDefault();
      zone.classList.remove("is-over");
      var dt = e.dataTransfer;
      var entries = [];
      if (dt.items) {
        for (var i = 0; i < dt.items.length; i++) {
          var item = dt.items[i];
          var entry = item.kind === "file" && item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
          if (entry) { entries.push(entry); }
        }
      }
      if (entries.length) {
        var out = [];
        Promise.all(entries.map(function (en) { return readEntry(en, "", out); }))
          .then(function () { send(out); });
      } else {
        send(Array.prototype.map.call(dt.files, function (f) { return { file: f, name: f.name }; }));
      }
    });
  }

  // ---- An import in progress --------------------------------------------------------------

  function setupJob() {
    var el = document.querySelector("[data-job]");
    if (!el) { return; }
    var label = el.querySelector("[data-job-label]");
    var bar = el.querySelector("[data-job-progress]");
    var poll = function () {
      fetch(el.getAttribute("data-job"), { headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.state === "queued" || s.state === "running") {
            label.textContent = s.label + "…";
            bar.value = s.fraction;
            window.setTimeout(poll, 300);
          } else {
            window.location.replace(window.location.pathname);
          }
        })
        .catch(function () { window.setTimeout(poll, 1000); });
    };
    window.setTimeout(poll, 150);
  }

  // ---- Should I send this? ----------------------------------------------------------------

  function setupCheck() {
    var form = document.querySelector("form[data-check]");
    if (!form) { return; }
    var box = document.getElementById("verdict");
    var area = form.querySelector("textarea");
    var busy = form.querySelector("[data-check-busy]");
    var timer = null;
    var pending = null;

    function run() {
      var text = area.value;
      if (pending) { pending.abort(); }
      if (!text.trim()) { box.innerHTML = ""; busy.hidden = true; return; }
      pending = new AbortController();
      busy.hidden = false;
      var body = new URLSearchParams();
      body.set("csrf", token);
      body.set("draft", text);
      fetch(form.getAttribute("data-check"), {
        method: "POST",
        body: body,
        headers: { "X-CSRF-Token": token },
        signal: pending.signal,
        cache: "no-store"
      })
        .then(function (r) { return r.status === 204 ? null : r.text(); })
        .then(function (html) {
          if (html === null || area.value !== text) { return; }
          box.innerHTML = html;  // fonder's own escaped fragment
          busy.hidden = true;
        })
        .catch(function () { /* a newer draft took over */ });
    }

    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 450);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      window.clearTimeout(timer);
      run();
    });
    box.addEventListener("click", function (e) {
      var button = e.target.closest ? e.target.closest("[data-use-suggestion]") : null;
      if (!button) { return; }
      var quote = box.querySelector("[data-suggestion]");
      if (quote) {
        area.value = quote.textContent.trim();
        area.focus();
        run();
      }
    });
  }

  // ---- Charts -----------------------------------------------------------------------------

  function setupCharts() {
    var data = document.getElementById("fonder-charts");
    if (!data || !window.Plotly) { return; }
    var specs = JSON.parse(data.textContent);
    var config = JSON.parse(document.getElementById("fonder-chart-config").textContent);
    var drawn = Object.keys(specs).map(function (id) {
      var el = document.getElementById(id);
      return el ? window.Plotly.newPlot(el, specs[id].data, specs[id].layout, config) : null;
    });
    // A mark a benchmark (or a curious person, in the browser's tools) can read.
    Promise.all(drawn).then(function () { performance.mark("fonder-charts-drawn"); });
  }

  // While an import runs, the person waits anyway: get the chart library ready for the
  // report that follows (same address as the report's, so the browser reuses it).
  function warmCharts() {
    var meta = document.querySelector('meta[name="fonder-plotly"]');
    if (!meta || window.Plotly) { return; }
    var script = document.createElement("script");
    script.src = meta.getAttribute("content");
    script.async = true;
    document.head.appendChild(script);
  }

  // Deferred scripts (this one, then Plotly) have all run when DOMContentLoaded fires.
  document.addEventListener("DOMContentLoaded", function () {
    setupUpload();
    setupJob();
    setupCheck();
    setupCharts();
    if (document.querySelector("[data-job]")) { window.setTimeout(warmCharts, 50); }
  });
})();
