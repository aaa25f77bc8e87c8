// Sortable tables (progressive enhancement): a button in each header, aria-sort,
// Vietnamese collation (Đ after D); cells with an empty data-sort always go last.
(function () {
  var vi = new Intl.Collator("vi", {numeric: true});
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var body = table.tBodies[0], numeric = th.classList.contains("num");
        var key = function (row) {
          var cell = row.cells[col];
          return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
        };
        Array.prototype.slice.call(body.rows).sort(function (a, b) {
          var x = key(a), y = key(b);
          if (x === "" || y === "") return (x === "") - (y === "");
          var d = numeric ? parseFloat(x) - parseFloat(y) : vi.compare(x, y);
          return up ? d : -d;
        }).forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
