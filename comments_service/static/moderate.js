// "Select all on this page" for the bulk actions; without JavaScript the box stays hidden.
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("select-all");
  if (!all) return;
  all.closest(".select-all").hidden = false;
  all.addEventListener("change", function () {
    document.querySelectorAll('input[name="ids"][form="bulk"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
});
