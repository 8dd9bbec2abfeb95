// The amount due on the check-your-answers step, for a form whose fees depend on the answers
// (a fee by choice, under a condition or per quantity; view/src/script.rs). site.js loads this
// file when that step first opens, so the form page itself stays within its weight budget
// (docs/BENCHMARKS.md), and hands over what it uses in `window.formfabrikFees`: the form's
// data, the clean answers (validateAll's), `holds` and `optionLabel`. The rules below are
// form-model's fees::amount_due; generator's differential test runs them under Node
// (module.exports) against it on every generated input.
(function () {
  "use strict";
  /* The amount due for clean answers, as form-model's fees::amount_due computes it, in whole
   * cents: a fee applies while its show-if holds (`holds` judges dates on the day validateAll
   * made `clean` for); by choice only when a priced option is chosen; with `per` only for a
   * number above zero or a non-empty list. */
  function amountDue(data, clean, holds) {
    var items = [], total = 0;
    (data.fees || []).forEach(function (fee) {
      if (!holds(fee["show-if"], clean)) return;
      var unit = fee.cents, choice, q = null;
      if (fee.choice) {
        choice = clean[fee.choice.field];
        // Only an amount of its own counts: nothing inherited (a "constructor" option).
        if (typeof choice !== "string" || typeof fee.choice.cents[choice] !== "number") return;
        unit = fee.choice.cents[choice];
      }
      if (fee.per) {
        var a = clean[fee.per];
        q = Array.isArray(a) ? a.length : typeof a === "number" && isFinite(a) ? a : 0;
        if (!(q > 0)) return;
      }
      var item = { id: fee.id, "unit_cents": unit, cents: Math.round(unit * (q === null ? 1 : q)) };
      if (choice !== undefined) item.choice = choice;
      if (q !== null) item.quantity = q;
      items.push(item);
      total += item.cents;
    });
    return { items: items, "total_cents": total };
  }
  // Money as messages::euros writes it; `fmt` is read off its output (view's money_format).
  // Fees are never negative (the check refuses them), so neither is an amount due.
  function money(cents, fmt) {
    var whole = String(Math.floor(cents / 100)), rest = cents % 100, g = "";
    for (var i = 0; i < whole.length; i++) g += (i > 0 && (whole.length - i) % 3 === 0 ? fmt.group : "") + whole[i];
    return fmt.prefix + g + fmt.decimal + (rest < 10 ? "0" : "") + rest + fmt.suffix;
  }

  if (typeof module !== "undefined" && module.exports) { module.exports = { amountDue: amountDue, money: money }; return; }

  var F = window.formfabrikFees;
  if (!F) return;
  // The amount due for the answers on the check step, each fee that applies (with the option
  // chosen) and the total (the server computes the same, and its amount is what is paid).
  // site.js calls this again whenever the step is shown anew.
  F.show = function () {
    var doc = document, data = F.data, due = amountDue(data, F.clean, F.holds), lines = doc.getElementById("amount-due-lines");
    lines.textContent = "";
    due.items.forEach(function (it) {
      var fee = data.fees.filter(function (x) { return x.id === it.id; })[0], tr = lines.insertRow(), th = doc.createElement("th");
      th.scope = "row";
      th.textContent = fee.label + (it.choice !== undefined ? " (" + F.optionLabel(fee.choice.field, it.choice) + ")" : "");
      tr.appendChild(th);
      th = tr.insertCell();
      th.className = "num";
      th.textContent = money(it.cents, data.money);
    });
    doc.getElementById("amount-due-total").textContent = money(due.total_cents, data.money);
    doc.getElementById("amount-due").hidden = false;
  };
  F.show();
})();
