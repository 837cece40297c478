/* Small page behaviours, driven by data attributes, so that no template needs inline JavaScript and the
   Content-Security-Policy can forbid it (script-src 'self'). Listeners sit on the document, so content that
   htmx swaps in later behaves the same without any set-up.

   data-confirm="Question?"   on a <form>: asks before it is submitted; on a button or link: asks before the
                              click goes through. Cancelling stops the submission (htmx's too).
   data-autosubmit            on a <select> or <input>: submits its form when the value changes.
   data-select-on-focus       on an <input>: selects its text when it gets the focus (links, keys to copy).
   data-copy="#input-id"      on a <button>: copies that input's value; data-copied is the label shown after. */
(function () {
  "use strict";

  function ask(element) {
    var question = element.getAttribute("data-confirm");
    return !question || window.confirm(question);
  }

  function stop(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  // Capturing listeners run before htmx's own listeners on the element, so a "no" stops htmx as well.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm") && !ask(form)) stop(event);
    },
    true
  );

  document.addEventListener(
    "click",
    function (event) {
      if (!(event.target instanceof Element)) return;
      var control = event.target.closest("button[data-confirm], input[data-confirm], a[data-confirm]");
      if (control && !ask(control)) stop(event);
    },
    true
  );

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!(field instanceof Element) || !field.hasAttribute("data-autosubmit") || !field.form) return;
    // requestSubmit fires the submit event (so data-confirm and htmx see it), unlike form.submit().
    if (typeof field.form.requestSubmit === "function") field.form.requestSubmit();
    else field.form.submit();
  });

  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) field.select();
  });

  function copied(button) {
    var icon = document.createElement("i");
    icon.className = "bi bi-check2";
    button.replaceChildren(icon, document.createTextNode(" " + (button.getAttribute("data-copied") || "")));
  }

  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element)) return;
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.querySelector(button.getAttribute("data-copy"));
    if (!input) return;
    input.focus();
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(
        function () { copied(button); },
        function () {}
      );
    } else if (document.execCommand && document.execCommand("copy")) {
      copied(button);
    }
  });
})();
