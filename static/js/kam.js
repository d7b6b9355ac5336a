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
