// kam's only script of its own, served from /static/ so the Content-Security-Policy needs no inline code.

// htmx carries an element's old attributes over to its swapped-in twin (same id) before settling them;
// a style attribute written that way is refused by the Content-Security-Policy. Styles set by scripts
// (the org chart's size) go through the style object instead, and are not carried over.
htmx.config.attributesToSettle = ["class", "width", "height"];

// A refused save comes back as 422 (field messages) or 409 (someone saved first, what was typed
// kept): htmx swaps those in like a success, so the form shows why instead of nothing happening.
document.addEventListener("htmx:beforeSwap", function (event) {
  if ([409, 422].includes(event.detail.xhr.status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// <button data-print>: prints the page (the board brief).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// A page that comes back with an error message (a refused apply, a refused step) moves focus to it: it
// sits at the top of the page, and a keyboard or screen-reader user starts reading there.
document.addEventListener("DOMContentLoaded", function () {
  const error = document.querySelector(".messages .error");
  if (error) {
    error.setAttribute("tabindex", "-1");
    error.focus();
  }
});

// Keyboard focus across htmx swaps. A swap replaces the element that had focus, and the browser then
// puts focus on <body>: a keyboard or screen-reader user is thrown back to the top of the page.
// - an editor that opens gets focus (its first field, or the first with an error);
// - after a save, or Cancel, or Escape, focus returns to what opened the editor;
// - an element marked data-focus-here (say, the first of the older interactions loaded) gets focus;
// - otherwise focus that would be lost goes to the swapped section's heading.
var EDITORS = ".editor, .interaction-editor, .manual-score-editor";
var FIELDS = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";
var opener = null; // how to find, in the new page, the control that opened the editor

function describeControl(element) {
  if (element.id) {
    return "#" + CSS.escape(element.id);
  }
  var url = element.getAttribute("hx-get");
  return url ? '[hx-get="' + CSS.escape(url) + '"]' : null;
}

function focusField(editor) {
  var withError = editor.querySelector(".has-error");
  var field = (withError && withError.querySelector(FIELDS)) || editor.querySelector(FIELDS);
  if (field && field.tomselect) {
    field = field.tomselect.control_input;
  }
  (field || editor).focus();
}

document.addEventListener("htmx:beforeRequest", function (event) {
  var element = event.detail.elt;
  // A save, or a link inside an open editor (Move, Mark as left, Cancel), keeps the original opener.
  if (element.closest(EDITORS)) {
    return;
  }
  // Any other form (log an interaction, remove one) opened no editor: focus goes to its section.
  opener = element.tagName === "FORM" ? null : describeControl(element);
});

document.addEventListener("htmx:afterSettle", function (event) {
  var swapped = event.target;
  var marked = document.querySelector("[data-focus-here]");
  if (marked) {
    marked.removeAttribute("data-focus-here");
    marked.focus();
    return;
  }
  var editor = swapped.matches && (swapped.matches(EDITORS) ? swapped : swapped.querySelector(EDITORS));
  if (editor) {
    focusField(editor);
    return;
  }
  if (document.activeElement && document.activeElement !== document.body) {
    return;
  }
  var back = opener && document.querySelector(opener);
  if (back) {
    opener = null;
    back.focus();
    return;
  }
  var heading = swapped.querySelector && swapped.querySelector("h2, h3");
  if (heading && swapped.id && !swapped.hasAttribute("hx-swap-oob")) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
});

// Escape closes the open editor as its Cancel link does (and a tom-select list first, on its own).
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape" || event.defaultPrevented) {
    return;
  }
  var editor = event.target.closest && event.target.closest(EDITORS);
  if (!editor || event.target.closest(".ts-wrapper.dropdown-active")) {
    return;
  }
  var cancel = editor.querySelector("[data-editor-cancel]");
  if (cancel) {
    event.preventDefault();
    cancel.click();
  }
});

// Cancel in an editor that sits in an empty slot of the page (the manual score): empty the slot.
document.addEventListener("click", function (event) {
  var cancel = event.target.closest("[data-editor-close]");
  if (!cancel) {
    return;
  }
  event.preventDefault();
  var slot = cancel.closest("[data-editor-slot]");
  slot.replaceChildren();
  var back = opener && document.querySelector(opener);
  opener = null;
  if (back) {
    back.focus();
  }
});

// A table wider than the screen scrolls sideways in its .table-wrap: one the keyboard can reach
// (tabindex), named after its section's heading so a screen reader says what scrolls.
function keyboardScrollable(root) {
  root.querySelectorAll(".table-wrap").forEach(function (region) {
    if (region.hasAttribute("tabindex") || region.scrollWidth <= region.clientWidth + 1) {
      return;
    }
    var heading = region.closest("section, main").querySelector("h1, h2, h3");
    region.tabIndex = 0;
    region.setAttribute("role", "region");
    region.setAttribute("aria-label", heading ? heading.textContent.trim() : document.title);
  });
}
document.addEventListener("DOMContentLoaded", function () { keyboardScrollable(document); });
document.addEventListener("htmx:load", function (event) {
  if (event.detail.elt.querySelectorAll) {
    keyboardScrollable(event.detail.elt);
  }
});
