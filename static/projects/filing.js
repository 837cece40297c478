// Filing steps: pick team members from the search into the team rows (adding rows and the share total come from
// lean/formset.js, loaded before this script).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-add-member]");
    if (!pick) return;
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
    target = target || window.leanFormset.addRow(team);
    target.querySelector("[data-number]").value = pick.dataset.number;
    var who = target.querySelector("[data-person]");
    if (who) who.textContent = pick.dataset.name;
    var share = target.querySelector("[data-share]");
    if (share) share.focus();
    window.leanFormset.shareTotal(team);
  });
})();
