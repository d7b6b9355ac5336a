// Picking people when logging or correcting an interaction: a searchable multi-select (tom-select
// from npm) over the form's own <select multiple data-searchable>, so a 150-person account is a few
// typed letters, not a Ctrl-click through a six-row list. Without this script the native list stays.
(function () {
  "use strict";

  function setup(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") {
      return;
    }
    new window.TomSelect(select, {
      plugins: { remove_button: { title: select.dataset.removeTitle || "Remove" } },
      maxOptions: null, // every person of the account, however many
      closeAfterSelect: false,
      hidePlaceholder: true,
      // The original select keeps its name; the value it submits is what was picked here.
      onItemAdd: function () {
        this.setTextboxValue("");
        this.refreshOptions(false);
      },
    });
    // The list itself stays in the form to be submitted, visually hidden; its label now names the
    // search box, so the list leaves the accessibility tree instead of being a second, nameless control.
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
  }

  function setupWithin(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("select[multiple][data-searchable]").forEach(setup);
  }

  document.addEventListener("DOMContentLoaded", function () { setupWithin(document); });
  document.addEventListener("htmx:load", function (event) { setupWithin(event.detail.elt); });
})();
