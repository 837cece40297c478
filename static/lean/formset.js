// Formsets with rows added in the page ([data-formset] holding [data-rows], a <template data-empty> row and an
// [data-add-row] button), a row's [data-delete] box greying it out, and a live total of the rows' [data-share]
// inputs in [data-share-total] (green at 100%). Used by the filing steps of a project and by recording an
// innovation contribution; a page's own script reaches addRow and shareTotal through window.leanFormset.
(function () {
  "use strict";

  function addRow(box) {
    var total = box.querySelector("input[name$='-TOTAL_FORMS']");
    var template = box.querySelector("template[data-empty]");
    if (!total || !template) return null;
    var index = parseInt(total.value, 10);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
    var row = holder.firstElementChild;
    box.querySelector("[data-rows]").appendChild(row);
    total.value = String(index + 1);
    return row;
  }

  function shareTotal(box) {
    var out = box.querySelector("[data-share-total]");
    if (!out) return;
    var sum = 0;
    box.querySelectorAll("[data-row]").forEach(function (row) {
      var del = row.querySelector("[data-delete]");
      var share = row.querySelector("[data-share]");
      if (share && !(del && del.checked)) {
        var v = parseFloat((share.value || "").replace(",", "."));
        if (!isNaN(v)) sum += v;
      }
    });
    sum = Math.round(sum * 100) / 100;
    out.textContent = sum + "%";
    out.classList.toggle("text-success", sum === 100);
    out.classList.toggle("text-danger", sum !== 100);
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (!add) return;
    var row = addRow(add.closest("[data-formset]"));
    if (row) { var first = row.querySelector("select, input:not([type=hidden])"); if (first) first.focus(); }
  });
  document.addEventListener("input", function (event) {
    var box = event.target.closest("[data-formset]");
    if (box) shareTotal(box);
  });
  document.addEventListener("change", function (event) {
    if (!event.target.matches("[data-delete]")) return;
    var row = event.target.closest("[data-row]");
    if (row) row.classList.toggle("is-deleted", event.target.checked);
    var box = event.target.closest("[data-formset]");
    if (box) shareTotal(box);
  });

  window.leanFormset = { addRow: addRow, shareTotal: shareTotal };
})();
