// Filing steps: add formset rows, pick team members from the search, keep the share total live.
(function () {
  "use strict";

  function addRow(box) {
    var total = box.querySelector("input[name$='-TOTAL_FORMS']");
    var template = box.querySelector("template[data-empty]");
    if (!total || !template) return null;
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
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
    if (add) {
      var box = add.closest("[data-formset]");
      var row = addRow(box);
      if (row) { var first = row.querySelector("select, input:not([type=hidden])"); if (first) first.focus(); }
      return;
    }
    var pick = event.target.closest("[data-add-member]");
    if (pick) {
      var team = document.querySelector("[data-formset='team']");
      if (!team) return;
      var target = null;
      team.querySelectorAll("[data-row]").forEach(function (r) {
        var n = r.querySelector("[data-number]");
        if (n && n.value.trim() === pick.dataset.number) target = target || r;
      });
      if (!target) {
        team.querySelectorAll("[data-row]").forEach(function (r) {
          var n = r.querySelector("[data-number]");
          if (!target && n && !n.value.trim()) target = r;
        });
      }
      target = target || addRow(team);
      target.querySelector("[data-number]").value = pick.dataset.number;
      var who = target.querySelector("[data-person]");
      if (who) who.textContent = pick.dataset.name;
      var share = target.querySelector("[data-share]");
      if (share) share.focus();
      shareTotal(team);
    }
  });

  document.addEventListener("input", function (event) {
    var box = event.target.closest("[data-formset]");
    if (box) shareTotal(box);
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-delete]")) {
      var row = event.target.closest("[data-row]");
      if (row) row.classList.toggle("is-deleted", event.target.checked);
      var box = event.target.closest("[data-formset]");
      if (box) shareTotal(box);
    }
  });
})();
