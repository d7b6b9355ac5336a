// The org chart on the account page: pan and zoom (svg-pan-zoom from npm), fit to screen, find a
// person, fold a manager's people away, and the person just added or moved centred and highlighted.
// The chart is server-rendered SVG; without this script it simply scrolls.
(function () {
  "use strict";

  var BOX_WIDTH = 224;
  var BOX_HEIGHT = 96;
  var READABLE = 0.8; // a person found or just changed is shown at least this large
  var views = {}; // per account: the zoom and pan, kept across the section's htmx swaps
  var folded = {}; // per account: the managers whose people are folded away

  function announce(text) {
    var region = document.getElementById("chart-announcer");
    if (!region) {
      region = document.createElement("div");
      region.id = "chart-announcer";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      document.body.appendChild(region);
    }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function setup(svg) {
    if (svg.dataset.panZoom || typeof window.svgPanZoom !== "function") {
      return;
    }
    svg.dataset.panZoom = "on";
    var canvas = svg.closest(".map-canvas");
    var section = svg.closest("section");
    var tools = section.querySelector(".chart-tools");
    var feedback = section.querySelector("[data-map-feedback]");
    var account = svg.dataset.account;
    var chartWidth = svg.viewBox.baseVal.width;
    var chartHeight = svg.viewBox.baseVal.height;
    var hidden = folded[account] || (folded[account] = new Set());

    // Chart pixels become the SVG's own units, so zoom 1 is the chart at its natural size.
    svg.removeAttribute("viewBox");
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    canvas.classList.add("pan-zoom");
    // Set through the style object: svg-pan-zoom would write a style attribute, which the policy refuses.
    svg.style.overflow = "hidden";
    svg.style.height = Math.max(320, Math.min(Math.round(window.innerHeight * 0.7), chartHeight + 24)) + "px";

    var chart = window.svgPanZoom(svg, {
      viewportSelector: null,
      panEnabled: true,
      zoomEnabled: true,
      controlIconsEnabled: false,
      mouseWheelZoomEnabled: false, // the wheel scrolls the page; Ctrl + wheel (or a pinch) zooms
      dblClickZoomEnabled: false,
      preventMouseEventsDefault: true,
      fit: false,
      center: false,
      minZoom: 0.05,
      maxZoom: 3,
      onZoom: remember,
      onPan: remember,
    });

    function remember() {
      views[account] = { zoom: chart.getZoom(), pan: chart.getPan() };
    }

    function size() {
      var rect = svg.getBoundingClientRect();
      return { width: rect.width, height: rect.height };
    }

    function fit() {
      var box = size();
      var scale = Math.min(box.width / chartWidth, box.height / chartHeight, 1);
      chart.zoom(scale);
      chart.pan({ x: (box.width - chartWidth * scale) / 2, y: Math.max(0, (box.height - chartHeight * scale) / 2) });
    }

    function centreOn(person, atLeast) {
      var scale = Math.max(chart.getSizes().realZoom, atLeast || 0);
      if (scale !== chart.getSizes().realZoom) {
        chart.zoom(scale);
      }
      var box = size();
      var x = Number(person.dataset.x) + BOX_WIDTH / 2;
      var y = Number(person.dataset.y) + BOX_HEIGHT / 2;
      chart.pan({ x: box.width / 2 - x * scale, y: box.height / 2 - y * scale });
    }

    // From svg-pan-zoom's own state: it redraws on the next animation frame, so the DOM lags behind.
    function isVisible(person) {
      var scale = chart.getSizes().realZoom;
      var pan = chart.getPan();
      var box = size();
      var left = Number(person.dataset.x) * scale + pan.x;
      var top = Number(person.dataset.y) * scale + pan.y;
      return left >= 0 && top >= 0 && left + BOX_WIDTH * scale <= box.width && top + BOX_HEIGHT * scale <= box.height;
    }

    // --- folding a manager's people ----------------------------------------------------------------
    var people = Array.prototype.slice.call(svg.querySelectorAll("g.person"));
    var byId = {};
    var reports = {};
    people.forEach(function (person) {
      byId[person.dataset.person] = person;
      var manager = person.dataset.manager;
      (reports[manager] = reports[manager] || []).push(person.dataset.person);
    });

    function under(id) {
      var found = [];
      var stack = (reports[id] || []).slice();
      while (stack.length) {
        var next = stack.pop();
        found.push(next);
        stack.push.apply(stack, reports[next] || []);
      }
      return found;
    }

    function applyFolding() {
      var out = new Set();
      hidden.forEach(function (id) {
        if (!byId[id]) {
          hidden.delete(id);
          return;
        }
        under(id).forEach(function (below) { out.add(below); });
      });
      people.forEach(function (person) {
        var id = person.dataset.person;
        person.classList.toggle("folded-away", out.has(id));
        var toggle = person.querySelector(".subtree-toggle");
        if (toggle) {
          var isFolded = hidden.has(id);
          toggle.setAttribute("aria-expanded", isFolded ? "false" : "true");
          person.classList.toggle("has-folded", isFolded);
        }
      });
      svg.querySelectorAll("path.links").forEach(function (path) {
        var manager = path.dataset.manager;
        path.classList.toggle("folded-away", out.has(manager) || hidden.has(manager));
      });
    }

    function unfoldAbove(person) {
      var manager = person.dataset.manager;
      while (manager && byId[manager]) {
        hidden.delete(manager);
        manager = byId[manager].dataset.manager;
      }
      applyFolding();
    }

    function toggleFold(toggle) {
      var person = toggle.closest("g.person");
      var id = person.dataset.person;
      var count = under(id).length;
      if (hidden.has(id)) {
        hidden.delete(id);
        announce(interpolate(words("shown", "{count} people shown"), count));
      } else {
        hidden.add(id);
        announce(interpolate(words("folded", "{count} people folded away"), count));
      }
      applyFolding();
    }

    // The words come translated from the page (data-* attributes of the toolbar).
    function words(name, fallback) {
      return (tools && tools.dataset[name]) || fallback;
    }

    function interpolate(text, value) {
      return text.replace(/\{(name|count)\}/, value);
    }

    // --- restoring the view after a swap, and showing what just changed --------------------------------
    applyFolding();
    var saved = views[account];
    if (saved) {
      chart.zoom(saved.zoom);
      chart.pan(saved.pan);
    } else if (chartWidth > size().width || chartHeight > size().height) {
      fit();
    }
    var changed = svg.dataset.changed && byId[svg.dataset.changed];
    if (changed) {
      unfoldAbove(changed);
      if (!isVisible(changed) || chart.getSizes().realZoom < READABLE) {
        centreOn(changed, READABLE);
      }
    }
    if (feedback && feedback.textContent.trim()) {
      announce(feedback.textContent.trim());
    }

    // --- the toolbar ---------------------------------------------------------------------------------
    if (tools) {
      tools.hidden = false;
      tools.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-chart]");
        if (!button) {
          return;
        }
        var action = button.dataset.chart;
        if (action === "zoom-in") {
          chart.zoomBy(1.25);
        } else if (action === "zoom-out") {
          chart.zoomBy(0.8);
        } else if (action === "fit") {
          fit();
        } else if (action === "expand-all") {
          hidden.clear();
          applyFolding();
        }
      });
      var find = tools.querySelector("form[data-chart=find]");
      find.addEventListener("submit", function (event) {
        event.preventDefault();
        var wanted = find.elements.name.value.trim().toLowerCase();
        if (!wanted) {
          return;
        }
        var match = people.filter(function (p) { return p.dataset.name.toLowerCase() === wanted; })[0] ||
          people.filter(function (p) { return p.dataset.name.toLowerCase().indexOf(wanted) !== -1; })[0];
        people.forEach(function (p) { p.classList.remove("found"); });
        if (!match) {
          announce(interpolate(words("missing", "Nobody called {name} on the map."), find.elements.name.value));
          return;
        }
        unfoldAbove(match);
        match.classList.add("found");
        centreOn(match, READABLE);
        announce(interpolate(words("found", "{name} found."), match.dataset.name));
      });
    }

    // Focusing someone off-screen makes the browser scroll the canvas to them, under the pan: the canvas
    // stays put and the chart pans instead (focusin below).
    canvas.scrollLeft = canvas.scrollTop = 0;
    canvas.addEventListener("scroll", function () {
      canvas.scrollLeft = canvas.scrollTop = 0;
    });

    // --- pointer and keyboard on the chart -----------------------------------------------------------
    var pressed = null;
    var dragged = false;
    svg.addEventListener("pointerdown", function (event) {
      pressed = { x: event.clientX, y: event.clientY };
      dragged = false;
    });
    svg.addEventListener("pointermove", function (event) {
      if (pressed && Math.abs(event.clientX - pressed.x) + Math.abs(event.clientY - pressed.y) > 4) {
        dragged = true;
      }
    });
    svg.addEventListener("pointerup", function () { pressed = null; });
    // A drag that ends over a person pans the chart; it does not open their editor.
    svg.addEventListener("click", function (event) {
      if (dragged) {
        event.preventDefault();
        event.stopPropagation();
        dragged = false;
        return;
      }
      var toggle = event.target.closest(".subtree-toggle");
      if (toggle) {
        event.preventDefault();
        event.stopPropagation();
        toggleFold(toggle);
      }
    }, true);
    svg.addEventListener("keydown", function (event) {
      var toggle = event.target.closest(".subtree-toggle");
      if (toggle && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        toggleFold(toggle);
      }
    });
    canvas.addEventListener("keydown", function (event) {
      if (event.target.closest("input, select, textarea")) {
        return;
      }
      var step = 80;
      var moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      if (event.key === "+" || event.key === "=") {
        chart.zoomBy(1.25);
      } else if (event.key === "-") {
        chart.zoomBy(0.8);
      } else if (event.key === "0") {
        fit();
      } else if (moves[event.key] && event.target === canvas) {
        chart.panBy({ x: moves[event.key][0], y: moves[event.key][1] });
      } else {
        return;
      }
      event.preventDefault();
    });
    canvas.addEventListener("wheel", function (event) {
      if (!event.ctrlKey && !event.metaKey) {
        return;
      }
      event.preventDefault();
      var rect = svg.getBoundingClientRect();
      chart.zoomAtPointBy(event.deltaY < 0 ? 1.15 : 1 / 1.15, { x: event.clientX - rect.left, y: event.clientY - rect.top });
    }, { passive: false });
    // Tabbing onto someone off-screen brings them into view.
    svg.addEventListener("focusin", function (event) {
      var person = event.target.closest("g.person");
      if (person && !isVisible(person)) {
        centreOn(person, READABLE);
      }
    });
  }

  function setupWithin(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches("svg.org-chart")) {
      setup(scope);
    }
    scope.querySelectorAll("svg.org-chart").forEach(setup);
  }

  document.addEventListener("DOMContentLoaded", function () { setupWithin(document); });
  // Every swap of the stakeholder map (an edit, a view change, an out-of-band refresh) draws a new chart.
  document.addEventListener("htmx:load", function (event) { setupWithin(event.detail.elt); });
})();
