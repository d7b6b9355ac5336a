// kam's only script of its own, served from /static/ so the Content-Security-Policy needs no inline code.

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
