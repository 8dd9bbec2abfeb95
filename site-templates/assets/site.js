/* Formfabrik page script: progressive enhancement only; every page works without it.
 * - Rules: the same checks form-model's validate applies, over the data the generator emits
 *   (#form-data). A differential test (generator/tests/differential.rs) runs these against the
 *   Rust implementation on generated inputs.
 * - Page: live conditions, inline checks, a step-by-step wizard with a check-your-answers
 *   step, submission via fetch with a client-made id (retried with the same id), an opt-in
 *   draft in localStorage, the reference on the confirmation page, the services filter.
 * Parts between `// @if <part>` and `// @end` ship only to the pages that use them (the page
 * kind, and the question types a form has; view/src/script.rs), so pages stay small. */
(function () {
  "use strict";

  // @if form
  // ---- Rules (pure: also loaded by Node in the differential test) ----------------------
  var chars = function (s) { return Array.from(s).length; };
  var isWs = function (c) { return /\s/u.test(c); };
  var trim = function (s) { return s.replace(/^\s+|\s+$/gu, ""); };
  // As form-model's rules: text trimmed and in Unicode form C, line breaks as \n; digits of
  // Arabic, Persian and full-width keyboards as ASCII where an answer is made of digits.
  var tidy = function (s) { return trim(s).normalize("NFC").replace(/\r\n/g, "\n"); };
  var ascii = function (s) {
    return s.replace(/[\u0660-\u0669\u06F0-\u06F9\uFF10-\uFF19]/g, function (c) {
      var n = c.charCodeAt(0);
      return String(n - (n >= 0xFF10 ? 0xFF10 : n >= 0x06F0 ? 0x06F0 : 0x0660));
    });
  };
  var answered = function (v) {
    if (v === null || v === undefined) return false;
    if (typeof v === "string") return trim(v) !== "";
    if (Array.isArray(v)) return v.some(answered);
    if (typeof v === "object" && !(typeof File !== "undefined" && v instanceof File)) {
      if ("size" in v && "name" in v) return true;
      return Object.keys(v).some(function (k) { return answered(v[k]); });
    }
    return true;
  };

  // form-model's Condition::holds: one shape per condition; a test names its field.
  // @if conditions
  // `now`: the day validateAll judges for (dates relative to today).
  var now;
  // @end
  function holds(cond, answers) {
    if (!cond) return true;
    var match = function (field, test) {
      var a = answers[field];
      if (typeof a === "string") return test(a);
      if (Array.isArray(a)) return a.some(function (x) { return typeof x === "string" && test(x); });
      return false;
    };
    var keys = Object.keys(cond).filter(function (k) { return k !== "field" && cond[k] !== undefined && cond[k] !== null; });
    if (keys.length !== 1) return false;
    if (cond.field !== undefined && cond.field !== null) {
      if (keys[0] === "equals") return match(cond.field, function (a) { return a === cond.equals; });
      if (keys[0] === "in") return match(cond.field, function (a) { return cond.in.indexOf(a) >= 0; });
      // @if conditions
      // Dates: the answer against a bound (a date, or today±N).
      var k = keys[0], i = ["after", "before", "not-before", "not-after"].indexOf(k), a = answers[cond.field];
      var d = i >= 0 && typeof a === "string" && parseDate(a), b = d && dateBound(cond[k], now);
      if (b) return [dateKey(d) > dateKey(b), dateKey(d) < dateKey(b), dateKey(d) >= dateKey(b), dateKey(d) <= dateKey(b)][i];
      // @end
      return false;
    }
    if (keys[0] === "all") return cond.all.length > 0 && cond.all.every(function (c) { return holds(c, answers); });
    if (keys[0] === "any") return cond.any.some(function (c) { return holds(c, answers); });
    if (keys[0] === "not") return !holds(cond.not, answers);
    // @if conditions
    var n = function (ids) { return ids.filter(function (id) { return answered(answers[id]); }).length; };
    if (keys[0] === "answered") return n([].concat(cond.answered)) > 0;
    if (keys[0] === "exactly-one") return n(cond["exactly-one"]) === 1;
    // @end
    return false;
  }

  function parseDate(s) {
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(s)) return null;
    var y = +s.slice(0, 4), m = +s.slice(5, 7), d = +s.slice(8, 10);
    if (m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return null;
    return { y: y, m: m, d: d };
  }
  function daysIn(y, m) { return new Date(Date.UTC(y, m, 0)).getUTCDate(); }
  function dateKey(x) { return x.y * 10000 + x.m * 100 + x.d; }
  function dateBound(expr, today) {
    if (typeof expr !== "string") return null;
    var m = /^today(?:([+-])([0-9]{1,5})([dmy]))?$/.exec(trim(expr));
    if (!m) return parseDate(trim(expr));
    if (!m[1]) return today;
    var n = (m[1] === "-" ? -1 : 1) * +m[2];
    if (m[3] === "d") {
      var t = new Date(Date.UTC(today.y, today.m - 1, today.d + n));
      return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
    }
    var months = today.y * 12 + (today.m - 1) + (m[3] === "y" ? n * 12 : n);
    var y = Math.floor(months / 12), mo = months - y * 12 + 1;
    return { y: y, m: mo, d: Math.min(today.d, daysIn(y, mo)) };
  }

  function telOk(s) {
    var body = s.charAt(0) === "+" ? s.slice(1) : s;
    var n = chars(body);
    return n >= 5 && n <= 30 && chars(s) <= 31 && /^[0-9 ()\/-]*$/.test(body);
  }

  // @if email
  function ipOk(ip) {
    if (/^[0-9.]+$/.test(ip)) {
      var p = ip.split(".");
      return p.length === 4 && p.every(function (x) { return /^(0|[1-9][0-9]{0,2})$/.test(x) && +x <= 255; });
    }
    try { return new URL("http://[" + ip + "]/").hostname.length > 2; } catch (e) { return false; }
  }
  var DOMAIN = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
  function domainOk(d) {
    if (DOMAIN.test(d)) return true;
    var lit = /\[([a-fA-F0-9:.]+)\]$/.exec(d);
    return lit ? ipOk(lit[1]) : false;
  }
  function emailOk(s) {
    if (new TextEncoder().encode(s).length > 254 || s === "" || s.indexOf("@") < 0) return false;
    var at = s.lastIndexOf("@"), user = s.slice(0, at), domain = s.slice(at + 1);
    if (chars(user) > 64 || chars(domain) > 255) return false;
    if (!/^[a-zA-Z0-9.!#$%&'*+\/=?^_`{|}~-]+$/.test(user)) return false;
    if (domainOk(domain)) return true;
    if (domain === "" || /[\s\/?#@:%\\]/.test(domain)) return false;
    try { return domainOk(new URL("http://" + domain + "/").hostname); } catch (e) { return false; }
  }
  // @end

  // @if iban
  function ibanNormalize(s, formats) {
    var c = Array.from(s).filter(function (ch) { return !isWs(ch); }).join("").toUpperCase();
    if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$/.test(c)) return null;
    if (c.slice(2, 4) === "00" || c.slice(2, 4) === "01") return null;
    var rem = 0, r = c.slice(4) + c.slice(0, 4);
    for (var i = 0; i < r.length; i++) {
      var v = parseInt(r[i], 36);
      rem = v < 10 ? (rem * 10 + v) % 97 : (rem * 100 + v) % 97;
    }
    if (rem !== 1) return null;
    var f = formats && formats[c.slice(0, 2)];
    if (!f) return null;
    var bban = c.slice(4), pos = 0, re = /([0-9]+)([nac])/g, m;
    while ((m = re.exec(f))) {
      var part = bban.substr(pos, +m[1]);
      if (part.length !== +m[1]) return null;
      if (m[2] === "n" && !/^[0-9]+$/.test(part)) return null;
      if (m[2] === "a" && !/^[A-Z]+$/.test(part)) return null;
      pos += +m[1];
    }
    return pos === bban.length ? c : null;
  }
  // @end

  // @if tax-id
  function taxIdOk(s) {
    if (!/^[0-9]{11}$/.test(s) || s[0] === "0") return false;
    var d = s.split("").map(Number), counts = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (var i = 0; i < 10; i++) counts[d[i]]++;
    var rep = counts.map(function (n, k) { return n > 1 ? k : -1; }).filter(function (k) { return k >= 0; });
    if (rep.length !== 1 || counts[rep[0]] > 3) return false;
    if (counts[rep[0]] === 3) {
      for (var j = 0; j + 2 < 10; j++) if (d[j] === rep[0] && d[j + 1] === rep[0] && d[j + 2] === rep[0]) return false;
    }
    var product = 10;
    for (var k = 0; k < 10; k++) {
      var sum = (d[k] + product) % 10;
      if (sum === 0) sum = 10;
      product = (sum * 2) % 11;
    }
    var check = 11 - product;
    return (check === 10 ? 0 : check) === d[10];
  }
  // @end

  // @if file
  function accepts(accept, type) {
    return accept.some(function (a) {
      return a.slice(-2) === "/*" ? type.split("/")[0] === a.slice(0, -2) && type.indexOf("/") > 0 : a === type;
    });
  }
  // @end

  // @if group
  // The answers before a group, which conditions inside its entries see (set by validateAll).
  var outer;
  // @end
  /* One field's answer → { value } (normalised, as the function stores it) or
   * { errors: [[part|null, code, param]] }. `field` is an entry of #form-data's fields. */
  function check(field, value, today, formats, parts) {
    var r = field.rules || {}, t = field.type, fail = function (code, param) { return { errors: [["", code, param]] }; };
    if (t === "number") {
      var n;
      if (typeof value === "number") n = value;
      else if (typeof value === "string") {
        var s0 = trim(value);
        if (!/^[0-9.-]+$/.test(s0) || !/[0-9]/.test(s0)) return fail("not-a-number");
        n = Number(s0);
      } else return fail("not-a-number");
      if (!isFinite(n)) return fail("not-a-number");
      var min = typeof r.min === "number" ? r.min : null, max = typeof r.max === "number" ? r.max : null;
      if (min !== null && n < min) return fail("too-small");
      if (max !== null && n > max) return fail("too-large");
      if (typeof r.step === "number") {
        var steps = (n - (min || 0)) / r.step;
        if (Math.abs(steps - Math.round(steps)) > 1e-9) return fail("step");
      }
      return { value: n };
    }
    if (t === "checkboxes") {
      var items = typeof value === "string" ? [value] : value;
      if (!Array.isArray(items) || items.some(function (x) { return typeof x !== "string"; })) return fail("wrong-type");
      // An unused select of a long list sends ""; the same answer twice counts once.
      var chosen = [];
      for (var i = 0; i < items.length; i++) {
        var x = trim(items[i]);
        if (x === "") continue;
        if ((r.options || []).indexOf(x) < 0) return fail("invalid-option");
        if (chosen.indexOf(x) < 0) chosen.push(x);
      }
      if (r["min-selected"] != null && chosen.length < r["min-selected"]) return fail("too-few-selected");
      if (r["max-selected"] != null && chosen.length > r["max-selected"]) return fail("too-many-selected");
      return { value: r.options.filter(function (o) { return chosen.indexOf(o) >= 0; }) };
    }
    // @if file
    if (t === "file") {
      if (!value || typeof value !== "object" || Array.isArray(value)) return fail("invalid-file");
      if (Object.keys(value).some(function (k) { return ["name", "type", "size", "sha256"].indexOf(k) < 0; })) return fail("invalid-file");
      var name = typeof value.name === "string" ? value.name : "", type = typeof value.type === "string" ? value.type : "";
      var size = value.size;
      if (typeof size !== "number" || size < 0 || Math.floor(size) !== size || trim(name) === "" || type === "") return fail("invalid-file");
      if (chars(name) > 255 || size === 0) return fail("invalid-file");
      if (!accepts(r.accept || [], type)) return fail("file-type");
      if (r["max-size-mb"] != null && size > r["max-size-mb"] * 1000000) return fail("file-too-large");
      if ("sha256" in value && !(typeof value.sha256 === "string" && /^[0-9a-fA-F]{64}$/.test(value.sha256))) return fail("invalid-file");
      return { value: value };
    }
    // @end
    // @if address
    if (t === "address") {
      if (!value || typeof value !== "object" || Array.isArray(value)) return fail("wrong-type");
      var errors = [], clean = {};
      if (Object.keys(value).some(function (k) { return !parts.some(function (p) { return p.key === k; }); })) errors.push(["", "wrong-type"]);
      parts.forEach(function (p) {
        var raw = value[p.key], at = "." + p.key;
        if (raw !== undefined && raw !== null && typeof raw !== "string") { errors.push([at, "wrong-type"]); return; }
        raw = raw ? tidy(raw) : "";
        if (p.postcode) raw = ascii(raw);
        if (raw === "") errors.push([at, "required"]);
        else if (chars(raw) > p["max-length"]) errors.push([at, "too-long"]);
        else if (p.postcode && !/^[0-9]{5}$/.test(raw)) errors.push([at, "invalid-postcode"]);
        else clean[p.key] = raw;
      });
      return errors.length ? { errors: errors } : { value: clean };
    }
    // @end
    // @if group
    if (t === "group") {
      // Conditions inside see the answers before the group and the entry's own.
      var entry = function (o, at) {
        var errs = [], out = {}, seen = Object.assign({}, outer), later = [];
        Object.keys(o).forEach(function (k) {
          if (!field.fields.some(function (c) { return c.id === k; })) errs.push([at + "." + k, "unknown-field"]);
        });
        field.fields.forEach(function (c) {
          var v = o[c.id], cat = at + "." + c.id, on = holds(c["show-if"], seen);
          if (!answered(v)) { if (on && c.required) errs.push([cat, "required"]); else if (on) later.push([c, cat]); return; }
          if (!on) { errs.push([cat, "not-applicable"]); return; }
          var res = check(c, v, today, formats, parts);
          if (res.errors) res.errors.forEach(function (e) { errs.push([cat + e[0], e[1], e[2]]); });
          else seen[c.id] = out[c.id] = res.value;
        });
        later.forEach(function (x) { if (x[0]["required-if"] && holds(x[0]["required-if"], seen)) errs.push([x[1], "required"]); });
        return errs.length ? { errors: errs } : { value: out };
      };
      // A date's parts (day, month, year) must form a real date within the group's min/max,
      // as far as they are known (form-model's date_parts_problem).
      var dated = function (res, at) {
        var dp = field["date-parts"], o = res.value || {}, y = dp && o[dp.year];
        if (res.errors || typeof y !== "number") return res;
        var m = dp.month ? o[dp.month] : undefined, d = dp.day ? o[dp.day] : undefined;
        var bad = function (code, param) { return { errors: [[at, code, param]] }; };
        if (y < 1000 || y > 9999 || (d !== undefined && m === undefined) || (m !== undefined && (m < 1 || m > 12)) ||
          (d !== undefined && (d < 1 || d > daysIn(y, m)))) return bad("invalid-date");
        var lo = dateBound(r.min, today), hi = dateBound(r.max, today);
        if (hi && dateKey({ y: y, m: m || 1, d: d || 1 }) > dateKey(hi)) return bad("date-too-late", hi);
        if (lo && dateKey({ y: y, m: m || 12, d: d || daysIn(y, m || 12) }) < dateKey(lo)) return bad("date-too-early", lo);
        return res;
      };
      var isObj = function (v) { return v && typeof v === "object" && !Array.isArray(v); };
      if (!field.repeat) return isObj(value) ? dated(entry(value, ""), "") : fail("wrong-type");
      if (!Array.isArray(value)) return fail("wrong-type");
      var errs = [], list = [], count = 0;
      value.forEach(function (item, i) {
        if (!answered(item)) return;
        count++;
        if (!isObj(item)) { errs.push(["." + i, "wrong-type"]); return; }
        var res = dated(entry(item, "." + i), "." + i);
        if (res.errors) errs = errs.concat(res.errors); else list.push(res.value);
      });
      if (count < (field.repeat.min || 0)) errs.push(["", "too-few-items"]);
      if (field.repeat.max != null && count > field.repeat.max) errs.push(["", "too-many-items"]);
      return errs.length ? { errors: errs } : { value: list };
    }
    // @end
    if (typeof value !== "string") return fail("wrong-type");
    var s = tidy(value);
    var lengthProblem = function () {
      var len = chars(s);
      if (r["min-length"] != null && len < r["min-length"]) return "too-short";
      if (r["max-length"] != null && len > r["max-length"]) return "too-long";
      return null;
    };
    var patternOk = function () {
      if (!r.pattern) return true;
      try { return new RegExp("^(?:" + r.pattern + ")$", "u").test(s); } catch (e) { return false; }
    };
    var p;
    switch (t) {
      case "text": case "textarea":
        if ((p = lengthProblem())) return fail(p);
        return patternOk() ? { value: s } : fail("pattern");
      case "tel":
        s = ascii(s);
        if ((p = lengthProblem())) return fail(p);
        if (!telOk(s)) return fail("invalid-tel");
        return patternOk() ? { value: s } : fail("pattern");
      // @if email
      case "email":
        if ((p = lengthProblem())) return fail(p);
        return emailOk(s) ? { value: s } : fail("invalid-email");
      // @end
      // @if iban
      case "iban":
        var iban = ibanNormalize(ascii(s), formats);
        return iban ? { value: iban } : fail("invalid-iban");
      // @end
      case "postcode":
        s = ascii(s);
        return /^[0-9]{5}$/.test(s) ? { value: s } : fail("invalid-postcode");
      // @if tax-id
      case "tax-id":
        var compact = Array.from(ascii(s)).filter(function (ch) { return !isWs(ch); }).join("");
        return taxIdOk(compact) ? { value: compact } : fail("invalid-tax-id");
      // @end
      case "date":
        var d = parseDate(s);
        if (!d) return fail("invalid-date");
        var lo = dateBound(r.min, today), hi = dateBound(r.max, today);
        if (lo && dateKey(d) < dateKey(lo)) return fail("date-too-early", lo);
        if (hi && dateKey(d) > dateKey(hi)) return fail("date-too-late", hi);
        return { value: s };
      case "radios": case "select":
        return (r.options || []).indexOf(s) >= 0 ? { value: s } : fail("invalid-option");
    }
    return fail("wrong-type");
  }

  // @if area
  /* The area rule (form-model's validate::area): a postcode among the municipality's, a street
   * matched as people write it (case, spaces, „str.“/„strasse“) and stored as it is spelt there.
   * It wraps `check`, so pages without an area carry none of it. */
  function streetKey(s) {
    var k = s.split(/\s+/).filter(function (x) { return x; }).join(" ").toLowerCase();
    if (k.slice(-4) === "str.") return k.slice(0, -4) + "straße";
    if (k.slice(-7) === "strasse") return k.slice(0, -7) + "straße";
    return k;
  }
  function withinArea(area, res) {
    if (!area || res.errors) return res;
    var pcs = area.postcodes || [], streets = area.streets || [], v = res.value, errs = [];
    var ok = function (p) { return !pcs.length || pcs.indexOf(p) >= 0; };
    if (typeof v === "string") return ok(v) ? res : { errors: [["", "outside-area"]] };
    if (streets.length && typeof v.street === "string") {
      var key = streetKey(v.street), hit = streets.filter(function (x) { return streetKey(x) === key; })[0];
      if (hit === undefined) errs.push([".street", "outside-area"]); else v.street = hit;
    }
    if (typeof v.postcode === "string" && !ok(v.postcode)) errs.push([".postcode", "outside-area"]);
    return errs.length ? { errors: errs } : res;
  }
  var checkType = check;
  check = function (field, value, today, formats, parts) {
    return withinArea((field.rules || {}).area, checkType(field, value, today, formats, parts));
  };
  // @end
  /* The whole form, in order: conditions see only answers of shown fields. Returns
   * { clean, errors: [{field, code, param}], shown: {id: bool}, steps: {id: bool} }. */
  function validateAll(data, answers, today) {
    var clean = {}, errors = [], shown = {}, steps = {};
    // @if conditions
    var later = [];
    now = today;
    // @end
    // @if group
    outer = clean;
    // @end
    var stepShown = {};
    data.steps.forEach(function (s) { stepShown[s.id] = null; });
    Object.keys(answers).forEach(function (k) {
      if (!data.fields.some(function (f) { return f.id === k; })) errors.push({ field: k, code: "unknown-field" });
    });
    data.fields.forEach(function (f) {
      if (stepShown[f.step] === null) {
        var st = data.steps.filter(function (s) { return s.id === f.step; })[0];
        stepShown[f.step] = holds(st["show-if"], clean);
      }
      steps[f.step] = stepShown[f.step];
      var on = stepShown[f.step] && holds(f["show-if"], clean);
      shown[f.id] = on;
      var v = answers[f.id];
      var has = answered(v);
      if (!on) { if (has) errors.push({ field: f.id, code: "not-applicable" }); return; }
      if (!has) {
        if (f.required || (f.repeat && f.repeat.min > 0)) errors.push({ field: f.id, code: "required" });
        // @if conditions
        else later.push(f);
        // @end
        return;
      }
      var res = check(f, v, today, data["iban-formats"], data["address-parts"]);
      if (res.errors) res.errors.forEach(function (e) { errors.push({ field: f.id + e[0], code: e[1], param: e[2] }); });
      else clean[f.id] = res.value;
    });
    // @if conditions
    // A required-if may name later questions: judged once every answer is known.
    later.forEach(function (f) { if (f["required-if"] && holds(f["required-if"], clean)) errors.push({ field: f.id, code: "required" }); });
    // @end
    var res = { clean: clean, errors: errors, shown: shown, steps: steps };
    // @if text-block
    // Text-blocks under a condition: shown while it holds (it names only earlier questions, so
    // the answers of the whole form judge it as those before it would).
    res.blocks = {};
    (data.blocks || []).forEach(function (b) { res.blocks[b.id] = holds(b["show-if"], clean); });
    // @end
    return res;
  }

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  var iso = function (d) { return d.y + "-" + pad(d.m) + "-" + pad(d.d); };
  var human = function (d, lang) {
    return lang === "de" ? pad(d.d) + "." + pad(d.m) + "." + d.y : lang === "en" ? d.d + " " + MONTHS[d.m - 1] + " " + d.y : iso(d);
  };
  var MARKER = { y: 1999, m: 12, d: 31 };
  // The field data and entry number behind an error path (hunde.2.halter-anschrift.postcode).
  function describe(data, path) {
    var seg = path.split("."), i = 1, entry = null;
    var f = data.fields.filter(function (x) { return x.id === seg[0]; })[0];
    // @if group
    if (f && f.type === "group" && seg.length > 1) {
      if (f.repeat) { entry = +seg[1] + 1; i = 2; }
      var child = f.fields.filter(function (c) { return c.id === seg[i]; })[0];
      if (child) { f = child; i++; }
    }
    // @end
    return { f: f, part: seg[i], entry: entry };
  }
  // The message template for the error's code, with the field's name (and entry number) in it.
  function message(data, e) {
    var d = describe(data, e.field);
    if (!d.f) return e.code;
    var ms = d.f.messages, i = d.part ? ms[d.part + ":" + e.code] : undefined;
    if (i === undefined) i = ms[e.code];
    if (i === undefined) i = ms.required;
    var name = d.f.name || d.f.label;
    // @if group
    // A problem with a list entry as a whole names the entry ("Hund 2").
    if (d.entry !== null && d.f.type === "group") name += " " + d.entry;
    // @end
    var m = data.messages[i].split("\uE001").join(name);
    // @if group
    if (d.entry !== null) m = m.split("\uE000").join(String(d.entry));
    // @end
    return e.param ? m.replace(human(MARKER, data.language), human(e.param, data.language)) : m;
  }

  var Rules = { holds: holds, check: check, validateAll: validateAll, message: message, parseDate: parseDate, dateBound: dateBound };
  if (typeof module !== "undefined" && module.exports) { module.exports = Rules; return; }

  // @end
  // ---- Page ----------------------------------------------------------------------------
  var doc = document;
  doc.documentElement.className += " js-enabled";
  var $ = function (sel, root) { return (root || doc).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); };
  var now = new Date();
  var today = { y: now.getFullYear(), m: now.getMonth() + 1, d: now.getDate() };

  // @if index
  // Services filter on the index page.
  var filter = $("#filter");
  if (filter) {
    var input = $("#filter-input"), status = $("#filter-status"), items = $$(".service");
    filter.hidden = false;
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase().trim(), n = 0;
      items.forEach(function (li) { var hit = li.getAttribute("data-search").indexOf(q) >= 0; li.hidden = !hit; if (hit) n++; });
      status.textContent = q === "" ? "" : n === 0 ? input.getAttribute("data-none") : input.getAttribute("data-count").replace("{n}", n);
    });
  }

  // @end
  // @if confirmation
  // Confirmation page: the reference comes in the address.
  var refBox = $("#reference-box");
  if (refBox) {
    var ref = new URLSearchParams(location.search).get("ref");
    // The pattern is form-model's (record::reference_pattern), written into the page.
    if (ref && new RegExp(refBox.getAttribute("data-pattern")).test(ref)) {
      $("#reference").textContent = ref;
      refBox.hidden = false;
      // Switching the language keeps the reference on the page.
      $$(".lang-nav a").forEach(function (a) { a.href = a.getAttribute("href").split("?")[0] + "?ref=" + encodeURIComponent(ref); });
      $("#reference-missing").hidden = true;
      // What the receipt is made of, as the function answered, kept in this tab only (see
      // done()): the button posts it to the function's receipt endpoint (the form's action,
      // written into the page), which checks it and answers the PDF as a download (the same
      // form the function's own page has without JS).
      var rc = null;
      try { rc = JSON.parse(sessionStorage.getItem("formfabrik-receipt:" + ref)); } catch (e) { /* storage off */ }
      if (rc && typeof rc.record === "string") {
        var receiptForm = $("#receipt");
        $("#receipt-record").value = rc.record;
        (rc.attachments_sha512 || []).forEach(function (h) {
          var input = document.createElement("input");
          input.type = "hidden";
          input.name = "attachment_sha512";
          input.value = h;
          receiptForm.appendChild(input);
        });
        receiptForm.hidden = false;
      }
    }
    try { localStorage.removeItem("formfabrik-draft:" + location.pathname.replace(/danke\/?$/, "")); } catch (e) { /* storage off */ }
  }

  // @end
  // @if form
  var form = $("#form");
  var dataEl = $("#form-data");
  if (!form || !dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var ui = JSON.parse($("#ui-strings").textContent);
  var lang = data.language;
  var byId = {};
  data.fields.forEach(function (f) { byId[f.id] = f; });
  var draftKey = "formfabrik-draft:" + location.pathname;
  var summary = $("#error-summary");

  // Relative date bounds become real min/max for today.
  $$("input[data-min], input[data-max]").forEach(function (el) {
    ["min", "max"].forEach(function (k) {
      var b = dateBound(el.getAttribute("data-" + k), today);
      if (b) el.setAttribute(k, iso(b));
    });
  });

  function wrapper(key) { return $('[data-field="' + key + '"]', form); }
  // The answer of field `f` whose page key is `key` (its id, or hunde-2-name inside a list).
  function readField(f, key, withFiles) {
    var w = wrapper(key);
    if (!w) return undefined;
    // Checkboxes, or the selects of a long list (one per answer; unused ones are empty).
    if (f.type === "checkboxes") return $$("input:checked, select", w).map(function (el) { return el.value; }).filter(function (x) { return x !== ""; });
    if (f.type === "radios" && $("input[type=radio]", w)) { var c = $("input:checked", w); return c ? c.value : undefined; }
    // @if address
    if (f.type === "address") {
      var o = {};
      data["address-parts"].forEach(function (p) { var el = $("#f-" + key + "-" + p.key); if (el && el.value !== "") o[p.key] = el.value; });
      return Object.keys(o).length ? o : undefined;
    }
    // @end
    // @if group
    if (f.type === "group") {
      var entry = function (prefix) {
        var o = {};
        f.fields.forEach(function (c) {
          var cw = wrapper(prefix + c.id), v = cw && cw.hidden ? undefined : readField(c, prefix + c.id, withFiles);
          if (v !== undefined) o[c.id] = v;
        });
        return o;
      };
      if (!f.repeat) return entry(key + "-");
      return $$("[data-entry]", w).map(function (el) { return entry(key + "-" + el.getAttribute("data-entry") + "-"); });
    }
    // @end
    // @if file
    if (f.type === "file") {
      var fi = $("input", w);
      if (!fi || !fi.files || !fi.files[0]) return undefined;
      var file = fi.files[0];
      return withFiles ? file : { name: file.name, type: file.type, size: file.size };
    }
    // @end
    var el = $("[name]", w);
    return el && el.value !== "" ? el.value : undefined;
  }
  function readAnswers(withFiles) {
    var a = {};
    data.fields.forEach(function (f) { var v = readField(f, f.id, withFiles); if (v !== undefined) a[f.id] = v; });
    return a;
  }
  function target(field) {
    if (!byId[field] && field.indexOf(".") < 0 && $("#" + field)) return field;
    return "f-" + field.replace(/\./g, "-");
  }
  function focusTarget(el) {
    var inner = el.tagName === "FIELDSET" ? $("input, select, textarea", el) : null;
    (inner || el).focus();
  }

  // Errors shown inline (hint first, then error in aria-describedby) and in the summary.
  function clearErrors() {
    $$(".field--error", form).forEach(function (w) { w.classList.remove("field--error"); });
    $$(".error-message", form).forEach(function (p) { p.remove(); });
    $$("[aria-invalid]", form).forEach(function (el) {
      el.removeAttribute("aria-invalid");
      var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && !/-error$/.test(x); });
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
    });
  }
  // The error line of control `id`, made like the error-message component: after the label
  // or legend and the hint, before the control (or before the choices of a fieldset).
  function errorLine(id, text) {
    var p = $("#" + id + "-error");
    if (p) { $(".error-text", p).textContent = text; return p; }
    var c = $("#" + id);
    if (!c) return null;
    var box = c.tagName === "FIELDSET" ? c : c.closest(".choices, .select-list") && c.closest("fieldset");
    var before = box ? $(":scope > :not(legend):not(.hint)", box) : c.closest(".combobox") || c;
    if (!before) return null;
    p = doc.createElement("p");
    p.id = id + "-error";
    p.className = "error-message";
    p.innerHTML = '<span class="visually-hidden"></span> <span class="error-text"></span>';
    p.firstChild.textContent = ui["error-prefix"];
    p.lastChild.textContent = text;
    before.parentNode.insertBefore(p, before);
    return p;
  }
  function showErrors(errors) {
    clearErrors();
    var list = $(".error-summary__list", summary);
    list.textContent = "";
    errors.forEach(function (e) {
      var text = e.message || message(data, e), id = target(e.field), fieldId = e.field.split(".")[0];
      var w = wrapper(fieldId);
      if (w) w.classList.add("field--error");
      var errEl = errorLine(id, text);
      var control = $("#" + id);
      var described = control && control.tagName !== "FIELDSET" && control.type !== "radio" && control.type !== "checkbox" ? control : control && control.closest("fieldset");
      if (control && control.tagName !== "FIELDSET") control.setAttribute("aria-invalid", "true");
      if (described && errEl) {
        var ids = (described.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (ids.indexOf(errEl.id) < 0) ids.push(errEl.id);
        described.setAttribute("aria-describedby", ids.join(" "));
      }
      var li = doc.createElement("li"), a = doc.createElement("a");
      a.href = "#" + id;
      a.textContent = text;
      li.appendChild(a);
      list.appendChild(li);
    });
    summary.hidden = errors.length === 0;
    if (errors.length) summary.focus();
  }
  summary.addEventListener("click", function (ev) {
    var a = ev.target.closest("a");
    if (!a) return;
    var el = $(a.getAttribute("href"));
    if (!el) return;
    ev.preventDefault();
    var step = el.closest(".step");
    if (step && wizard) goTo(visibleSteps().indexOf(step.getAttribute("data-step")));
    // @if group
    var entry = el.closest("[data-entry]");
    if (entry && entry.hidden) showEntry(entry);
    // @end
    focusTarget(el);
    var label = $('label[for="' + el.id + '"]') || (el.closest("fieldset") && $("legend", el.closest("fieldset")));
    (label || el).scrollIntoView({ block: "center" });
  });

  // Conditions: hide what is not asked and disable it, so it is neither checked nor sent.
  var state;
  function applyConditions() {
    state = validateAll(data, readAnswers(false), today);
    data.fields.forEach(function (f) {
      var w = wrapper(f.id);
      if (!w) return;
      w.hidden = !state.shown[f.id];
      $$("input, select, textarea", w).forEach(function (el) { el.disabled = !state.shown[f.id]; });
    });
    // @if text-block
    (data.blocks || []).forEach(function (b) {
      var w = wrapper(b.id);
      if (w) w.hidden = !state.blocks[b.id];
    });
    // @end
    // @if group
    // Questions of a group entry with their own show-if, judged with the entry's answers.
    data.fields.forEach(function (f) {
      if (f.type !== "group" || !state.shown[f.id] || !(f.blocks || f.fields.some(function (c) { return c["show-if"]; }))) return;
      var keys = f.repeat ? $$("[data-entry]", wrapper(f.id)).map(function (el) { return f.id + "-" + el.getAttribute("data-entry") + "-"; }) : [f.id + "-"];
      keys.forEach(function (p) {
        var seen = Object.assign({}, state.clean);
        f.fields.forEach(function (c) {
          var cw = wrapper(p + c.id), on = holds(c["show-if"], seen), v = on ? readField(c, p + c.id, false) : undefined;
          if (cw) { cw.hidden = !on; $$("input, select, textarea", cw).forEach(function (el) { el.disabled = !on; }); }
          if (v !== undefined) seen[c.id] = v;
        });
        // @if text-block
        (f.blocks || []).forEach(function (b) {
          var bw = wrapper(p + b.id);
          if (bw) bw.hidden = !holds(b["show-if"], seen);
        });
        // @end
      });
    });
    // @end
    data.steps.forEach(function (s) {
      var sec = $('.step[data-step="' + s.id + '"]', form);
      if (sec) sec.hidden = wizard ? sec.hidden || !state.steps[s.id] : !state.steps[s.id];
    });
  }

  // Wizard: one step at a time, then check your answers and send.
  var wizard = true;
  var current = 0;
  var progress = $("#step-progress");
  function visibleSteps() {
    return data.steps.filter(function (s) { return state.steps[s.id]; }).map(function (s) { return s.id; }).concat(["review"]);
  }
  // Steps the citizen has been on, whether they came from "Change" on the check, and the
  // Continue buttons (which then say where they lead).
  var seen = {}, returning = false, nexts = [];
  function goTo(i, noFocus) {
    var ids = visibleSteps();
    current = Math.max(0, Math.min(i, ids.length - 1));
    seen[ids[current]] = true;
    if (ids[current] === "review") returning = false;
    nexts.forEach(function (b) { b.textContent = returning ? ui["review-return"] : ui.continue; });
    $$(".step", form).forEach(function (sec) { sec.hidden = sec.getAttribute("data-step") !== ids[current]; });
    $("#finish").hidden = ids[current] !== "review";
    if (ids[current] === "review") fillReview();
    progress.hidden = false;
    progress.textContent = ui["step-of"].replace("{n}", current + 1).replace("{m}", ids.length);
    var heading = $(".step:not([hidden]) h2", form);
    if (heading && !noFocus) heading.focus();
  }
  function stepErrors(stepId) {
    return state.errors.filter(function (e) { var f = byId[e.field.split(".")[0]]; return f && f.step === stepId; });
  }
  // Check your answers: per step its title and a list; inside a group one row per question,
  // named with the group ("Hund 2: Name", as messages name it), so no row lacks its context.
  function fillReview() {
    var box = $("#review-list"), answers = readAnswers(false);
    box.textContent = "";
    data.steps.forEach(function (s) {
      var dl = null;
      data.fields.forEach(function (f) {
        if (f.step !== s.id || !state.shown[f.id]) return;
        if (!dl) {
          var h = doc.createElement("h3");
          h.className = "summary__title";
          h.textContent = $("#s-" + s.id + "-heading").textContent;
          dl = doc.createElement("dl");
          dl.className = "summary";
          box.appendChild(h);
          box.appendChild(dl);
        }
        var v = answers[f.id];
        // @if group
        if (f.type === "group" && answered(v)) {
          (f.repeat ? v : [v]).forEach(function (o, i) {
            if (!answered(o)) return;
            var at = f.id + "-" + (f.repeat ? i + "-" : "");
            f.fields.forEach(function (c) {
              var w = wrapper(at + c.id);
              if (w && w.hidden) return;
              reviewRow(dl, f.step, c.name.split("\uE000").join(String(i + 1)), c, o[c.id], at + c.id);
            });
          });
          return;
        }
        // @end
        reviewRow(dl, f.step, f.label.replace(/<[^>]*>/g, ""), f, v, f.id);
      });
    });
    // @if fees
    // The amount due for these answers under the fee table, by assets/fees.js: loaded when
    // this step first opens (a citizen who never gets here does not download it) and handed
    // what it uses; the answers are validateAll's, which also sets the day `holds` judges
    // dates on.
    var F = window.formfabrikFees = window.formfabrikFees || { data: data, holds: holds, optionLabel: optionLabel };
    F.clean = validateAll(data, answers, today).clean;
    if (F.show) F.show();
    else doc.head.appendChild(doc.createElement("script")).src = $("#amount-due").getAttribute("data-script");
    // @end
  }
  // One row: the question, the answer as the page showed its choices, and "Change", which
  // opens the step and, once it is done, leads straight back here (returning).
  function reviewRow(dl, step, label, f, v, key) {
    var row = doc.createElement("div"), dt = doc.createElement("dt"), dd = doc.createElement("dd"), act = doc.createElement("dd"), a = doc.createElement("a"), hidden = doc.createElement("span");
    row.className = "summary__row"; dt.className = "summary__key"; dd.className = "summary__value"; act.className = "summary__action";
    dt.textContent = label;
    dd.textContent = answerText(f, v, key);
    a.href = "#f-" + key;
    a.textContent = ui.change;
    hidden.className = "visually-hidden";
    hidden.textContent = " " + label;
    a.appendChild(hidden);
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      returning = true;
      goTo(visibleSteps().indexOf(step));
      var el = $("#f-" + key);
      if (el) focusTarget(el);
    });
    act.appendChild(a);
    row.appendChild(dt); row.appendChild(dd); row.appendChild(act);
    dl.appendChild(row);
  }
  function answerText(f, v, key) {
    if (!answered(v)) return ui["not-answered"];
    if (f.type === "checkboxes") return v.map(function (x) { return optionLabel(key, x); }).join(", ");
    if (f.type === "radios" || f.type === "select") return optionLabel(key, v);
    // @if address
    if (f.type === "address") {
      var p = data["address-parts"].map(function (x) { return trim(v[x.key] || ""); });
      return trim(p[0] + " " + p[1]) + ", " + trim(p[2] + " " + p[3]);
    }
    // @end
    // @if file
    if (f.type === "file") return v.name;
    // @end
    if (f.type === "date" && parseDate(trim(v))) return human(parseDate(trim(v)), lang);
    return trim(String(v));
  }
  // The words of a choice as the page shows them: an <option>, or the label of a radio or
  // checkbox (never a text input that happens to hold the same value).
  function optionLabel(key, x) {
    var w = wrapper(key), el = w && $$("option, input[type=radio], input[type=checkbox]", w).filter(function (o) { return o.value === x; })[0];
    var l = el && (el.tagName === "OPTION" ? el : $('label[for="' + el.id + '"]', w));
    return l ? trim(l.textContent) : x;
  }
  function button(text, cls, onClick) {
    var b = doc.createElement("button");
    b.type = "button";
    b.className = "button " + cls;
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }
  $$(".step", form).concat([$("#finish")]).forEach(function (sec) {
    var bar = doc.createElement("div");
    bar.className = "step-buttons";
    var isFinish = sec.id === "finish";
    if (!isFinish) {
      nexts.push(bar.appendChild(button(ui.continue, "", function () {
        applyConditions();
        var errs = stepErrors(visibleSteps()[current]);
        if (errs.length) { showErrors(errs); return; }
        clearErrors(); summary.hidden = true;
        // After "Change": straight back to the check, past the steps already done, unless
        // the change asks for a step not seen yet or one that now has a problem.
        var ids = visibleSteps(), next = current + 1;
        if (returning) while (next < ids.length - 1 && seen[ids[next]] && !stepErrors(ids[next]).length) next++;
        goTo(next);
      })));
    }
    bar.appendChild(button(ui.back, "button--secondary", function () { clearErrors(); summary.hidden = true; goTo(current - 1); }));
    if (isFinish) sec.insertBefore(bar, $("#submit").nextSibling); else sec.appendChild(bar);
    if (sec.getAttribute("data-step") === data.steps[0].id && !isFinish) bar.lastChild.hidden = true;
  });

  // Lists: show the entries in use, add one at a time, remove the last one.
  function showEntry(el) {
    el.hidden = false;
    $$("input, select, textarea", el).forEach(function (x) { x.disabled = false; });
  }
  // @if group
  $$("[data-list]", form).forEach(function (w) {
    var f = byId[w.getAttribute("data-field")];
    if (!f) return;
    var entries = $$("[data-entry]", w), more = $(".group__more", w), limit = $(".group__limit", w);
    // With the buttons the "more" section is not needed: its entries join the others.
    if (more) { $$("[data-entry]", more).forEach(function (el) { more.parentNode.insertBefore(el, more); }); more.parentNode.removeChild(more); }
    var min = Math.max(f.repeat.min || 0, 1);
    var used = function () { return entries.filter(function (el) { return !el.hidden; }).length; };
    var bar = doc.createElement("div");
    bar.className = "group__buttons";
    var add = button(ui["group-add"], "button--secondary", function () {
      var next = entries.filter(function (el) { return el.hidden; })[0];
      if (!next) return;
      showEntry(next);
      sync();
      var first = $("input, select, textarea", next);
      if (first) first.focus();
    });
    var remove = button(ui["group-remove"], "button--secondary", function () {
      var shown = entries.filter(function (el) { return !el.hidden; });
      var last = shown[shown.length - 1];
      if (!last || shown.length <= min) return;
      $$("input, select, textarea", last).forEach(function (x) { if (x.type === "checkbox" || x.type === "radio") x.checked = false; else x.value = ""; });
      last.hidden = true;
      sync();
      add.focus();
      applyConditions();
      saveDraft();
    });
    bar.appendChild(add);
    bar.appendChild(remove);
    $("fieldset.group", w).appendChild(bar);
    function sync() {
      add.hidden = used() >= entries.length;
      remove.hidden = used() <= min;
      if (limit) limit.hidden = used() < entries.length;
    }
    // Entries with answers (a restored draft) stay visible; the rest wait for "add".
    entries.forEach(function (el, i) {
      var filled = $$("input, select, textarea", el).some(function (x) { return (x.type === "checkbox" || x.type === "radio") ? x.checked : x.value !== ""; });
      el.hidden = i >= min && !filled;
    });
    sync();
    w.syncList = sync;
  });

  // @end
  // @if combobox
  // Long lists: each select[data-combobox] becomes a search box (a combobox with a listbox of
  // the options that match what is typed), after GOV.UK's accessible-autocomplete. The select
  // stays, hidden, and is what the form sends; the box takes its id, so its label and error
  // links lead to the box. The number of matches is announced in a status region.
  var fold = function (x) { return x.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); };
  $$("select[data-combobox]", form).forEach(function (sel) {
    var id = sel.id, opts = $$("option", sel).filter(function (o) { return o.value !== ""; });
    var box = doc.createElement("div"), input = doc.createElement("input"), list = doc.createElement("ul");
    var status = doc.createElement("div"), how = doc.createElement("span"), label = $('label[for="' + id + '"]');
    var matches = [], active = -1, announce;
    box.className = "combobox";
    sel.id = id + "-select";
    sel.hidden = true;
    sel.tabIndex = -1;
    input.id = id;
    input.className = "input combobox__input";
    input.type = "text";
    input.autocomplete = "off";
    input.spellcheck = false;
    [["role", "combobox"], ["aria-autocomplete", "list"], ["aria-expanded", "false"], ["aria-controls", id + "-list"]].forEach(function (a) { input.setAttribute(a[0], a[1]); });
    if (sel.required) input.setAttribute("aria-required", "true");
    how.id = id + "-how";
    how.className = "visually-hidden";
    how.textContent = ui["combobox-hint"];
    input.setAttribute("aria-describedby", trim((sel.getAttribute("aria-describedby") || "") + " " + how.id));
    list.id = id + "-list";
    list.className = "combobox__list";
    list.setAttribute("role", "listbox");
    if (label) list.setAttribute("aria-label", trim(label.textContent));
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    sel.parentNode.insertBefore(box, sel);
    [input, list, status, how, sel].forEach(function (el) { box.appendChild(el); });

    function open(yes) {
      list.hidden = !yes;
      input.setAttribute("aria-expanded", String(yes));
      if (!yes) move(-1);
    }
    function move(to) {
      var items = list.children;
      if (items[active]) items[active].setAttribute("aria-selected", "false");
      active = to;
      if (!items[to]) { input.removeAttribute("aria-activedescendant"); return; }
      items[to].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[to].id);
      items[to].scrollIntoView({ block: "nearest" });
    }
    // The options whose label starts with what was typed, then those that contain it; accents
    // and case do not matter ("osterr" finds Österreich).
    function search() {
      var q = fold(trim(input.value)), first = [], then = [];
      opts.forEach(function (o) { var at = fold(o.textContent).indexOf(q); if (at === 0) first.push(o); else if (at > 0) then.push(o); });
      matches = first.concat(then);
      list.textContent = "";
      active = -1;
      matches.forEach(function (o, i) {
        var li = doc.createElement("li");
        li.id = id + "-option-" + i;
        li.className = "combobox__option";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = o.textContent;
        // Keep the focus in the box while choosing with the mouse or a finger.
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
        li.addEventListener("click", function () { choose(o); });
        list.appendChild(li);
      });
      open(true);
      clearTimeout(announce);
      announce = setTimeout(function () {
        status.textContent = matches.length === 0 ? ui["combobox-none"] : matches.length === 1 ? ui["combobox-result"] : ui["combobox-results"].replace("{n}", matches.length);
      }, 400);
    }
    // `o` chosen (null: none); `keep` leaves what was typed in the box.
    function choose(o, keep) {
      if (!keep) input.value = o ? o.textContent : "";
      open(false);
      if (sel.value !== (o ? o.value : "")) {
        sel.value = o ? o.value : "";
        sel.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
    sel.sync = function () {
      var o = opts.filter(function (x) { return x.value === sel.value; })[0];
      input.value = o ? o.textContent : "";
    };
    sel.sync();
    input.addEventListener("input", function () { if (trim(input.value) === "") choose(null); else search(); });
    input.addEventListener("keydown", function (ev) {
      var shown = !list.hidden;
      if (ev.key === "ArrowDown") {
        ev.preventDefault();
        if (!shown) search();
        if (matches.length) move(Math.min(active + 1, matches.length - 1));
      } else if (ev.key === "ArrowUp" && shown) {
        ev.preventDefault();
        move(Math.max(active - 1, -1));
      } else if (ev.key === "Enter" && shown) {
        ev.preventDefault();
        if (matches[active]) choose(matches[active]);
      } else if (ev.key === "Escape" && shown) {
        ev.preventDefault();
        open(false);
      }
    });
    // Leaving the box: what was typed counts when it is an option's label.
    input.addEventListener("blur", function () {
      var q = fold(trim(input.value));
      var hit = opts.filter(function (o) { return fold(trim(o.textContent)) === q; })[0];
      choose(hit || null, !hit);
    });
  });
  // Several answers from a long list: one box first, and one more each time it is asked for.
  $$(".select-list", form).forEach(function (l) {
    var items = $$(".select-list__item", l);
    var add = button(ui["select-list-add"], "button--secondary", function () {
      var next = items.filter(function (x) { return x.hidden; })[0];
      if (!next) return;
      next.hidden = false;
      sync();
      $("input", next).focus();
    });
    function sync() { add.hidden = !items.some(function (x) { return x.hidden; }); }
    l.appendChild(add);
    l.reveal = function () {
      items.forEach(function (x, i) { x.hidden = i > 0 && $("select", x).value === ""; });
      sync();
    };
    l.reveal();
  });

  // @end
  // Draft (opt-in): answers without files, in this browser only.
  var draft = $("#draft"), draftInput = $("#draft-input");
  draft.hidden = false;
  function saveDraft() {
    if (!draftInput.checked) return;
    try { localStorage.setItem(draftKey, JSON.stringify(readAnswers(false))); } catch (e) { /* storage full or off */ }
  }
  // A saved answer back into the inputs of wrapper w: boxes ticked, or the value of its input
  // (of each select of a long list, in order).
  function putBack(w, v) {
    var boxes = $$("input[type=checkbox], input[type=radio]", w);
    if (boxes.length) boxes.forEach(function (el) { el.checked = Array.isArray(v) ? v.indexOf(el.value) >= 0 : el.value === v; });
    else $$("[name]", w).forEach(function (el, i) { el.value = Array.isArray(v) ? v[i] || "" : i ? el.value : v; if (el.sync) el.sync(); });
  }
  // Saved answers (this browser's draft, or the account's from sign-in.js) back into the
  // inputs; a list's entries with answers shown.
  function putAnswers(saved) {
    Object.keys(saved).forEach(function (id) {
      var f = byId[id], v = saved[id], w = wrapper(id);
      if (!f || !w || f.type === "file") return;
      // @if address
      if (f.type === "address") { Object.keys(v).forEach(function (k) { var el = $("#f-" + id + "-" + k); if (el) el.value = v[k]; }); return; }
      // @end
      // @if group
      if (f.type === "group") {
        (f.repeat ? v : [v]).forEach(function (o, i) {
          var prefix = id + "-" + (f.repeat ? i + "-" : ""), el = $$("[data-entry]", w)[i];
          if (f.repeat && el && answered(o)) showEntry(el);
          Object.keys(o || {}).forEach(function (c) {
            var x = o[c], cw = wrapper(prefix + c);
            if (!cw) return;
            if (x && typeof x === "object" && !Array.isArray(x)) Object.keys(x).forEach(function (k) { var el = $("#f-" + prefix + c + "-" + k); if (el) el.value = x[k]; });
            else putBack(cw, x);
          });
        });
        if (w.syncList) w.syncList();
        return;
      }
      // @end
      putBack(w, v);
    });
    // @if combobox
    $$(".select-list", form).forEach(function (l) { l.reveal(); });
    // @end
  }
  draftInput.addEventListener("change", function () {
    if (draftInput.checked) saveDraft(); else try { localStorage.removeItem(draftKey); } catch (e) { /* off */ }
  });

  // Sending: JSON, with files uploaded first; the same id on every retry.
  var sendStatus = $("#send-status"), submitButton = $("#submit");
  // @if payment
  // Paying online offered (payment optional): the other send button, and the one clicked.
  var noticeButton = $("#submit-notice") || {}, payChoice = "";
  // @end
  function submissionId() {
    var key = "formfabrik-id:" + location.pathname, id;
    try { id = sessionStorage.getItem(key); } catch (e) { id = null; }
    if (!id) {
      id = crypto.randomUUID ? crypto.randomUUID() : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
        return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
      });
      try { sessionStorage.setItem(key, id); } catch (e) { /* off */ }
    }
    return id;
  }
  // @if file
  // Files go straight to the store: the function signs one upload per file (…/upload), the
  // browser posts the file there, and the answers refer to it. So no body limit of the
  // function applies to them (docs/submission-api.md).
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function stage(id, value, path) {
    if (value instanceof File) {
      var endpoint = new URL(form.getAttribute("action") + "/upload", location.href).href;
      return fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ id: id, field: path, type: value.type, size: value.size, language: lang }) })
        .then(function (res) {
          if (res.status === 422) return res.json().then(function (bad) { throw { errors: bad.errors || [] }; });
          if (!res.ok) throw { status: res.status };
          return res.json();
        })
        .then(function (signed) {
          var body = new FormData();
          Object.keys(signed.fields).forEach(function (k) { body.append(k, signed.fields[k]); });
          body.append("file", value);
          return fetch(new URL(signed.url, endpoint).href, { method: "POST", body: body })
            .then(function (res) {
              if (!res.ok) throw { status: res.status };
              return value.arrayBuffer();
            })
            .then(function (b) { return crypto.subtle.digest("SHA-256", b); })
            .then(function (d) { return { name: value.name, type: value.type, size: value.size, sha256: hex(d), upload: signed.upload }; });
        });
    }
    if (Array.isArray(value)) return Promise.all(value.map(function (v, i) { return stage(id, v, path + "." + i); }));
    if (value && typeof value === "object") {
      var out = {};
      return Promise.all(Object.keys(value).map(function (k) {
        return stage(id, value[k], path ? path + "." + k : k).then(function (v) { out[k] = v; });
      })).then(function () { return out; });
    }
    return Promise.resolve(value);
  }
  // @end
  function send(attempt) {
    var id = submissionId(), answers = Promise.resolve(readAnswers(true));
    var headers = { Accept: "application/json", "Content-Type": "application/json" };
    // @if file
    answers = answers.then(function (a) { return stage(id, a, ""); });
    // @end
    var credentials = "omit";
    // @if sign-in
    // The session cookie goes to the function only from a page that offers sign-in.
    if (signIn) credentials = "include";
    // @end
    return answers.then(function (data) {
      var post = { id: id, language: lang, data: data };
      // @if payment
      if (payChoice) post.payment = payChoice;
      // @end
      return fetch(form.getAttribute("action"), { method: "POST", headers: headers, body: JSON.stringify(post), mode: "cors", credentials: credentials });
    }).then(function (res) {
      if (res.ok) return res.json().then(function (ok) { done(ok); });
      if (res.status === 422) return res.json().then(function (bad) { failed(bad.errors || []); });
      if ((res.status >= 500 || res.status === 429) && attempt < 3) return retry(attempt);
      return res.json().catch(function () { return {}; }).then(function (b) { broken(b.message || b.error); });
    }, function (e) {
      // @if file
      if (e && e.errors) return failed(e.errors);
      // A file the store refused (its policy): trying again would not help.
      if (e && e.status >= 400 && e.status < 500) return broken();
      // @end
      return attempt < 3 ? retry(attempt) : broken();
    });
  }
  function retry(attempt) {
    return new Promise(function (r) { setTimeout(r, 800 * Math.pow(2, attempt)); }).then(function () { return send(attempt + 1); });
  }
  function done(ok) {
    try { localStorage.removeItem(draftKey); sessionStorage.removeItem("formfabrik-id:" + location.pathname); } catch (e) { /* off */ }
    try { if (ok.receipt) sessionStorage.setItem("formfabrik-receipt:" + ok.reference, JSON.stringify(ok.receipt)); } catch (e) { /* off or full */ }
    // @if payment
    // Paid online first (payment required, or chosen): on to the platform's pay page (202).
    if (ok.payment_url) return location.assign(ok.payment_url);
    // @end
    location.href = form.getAttribute("data-confirmation") + "?ref=" + encodeURIComponent(ok.reference);
  }
  function failed(errors) {
    submitButton.disabled = false;
    // @if payment
    noticeButton.disabled = false;
    // @end
    sendStatus.textContent = "";
    showErrors(errors.map(function (e) { return { field: e.field, code: e.code, message: e.message }; }));
  }
  function broken(detail) {
    submitButton.disabled = false;
    // @if payment
    noticeButton.disabled = false;
    // @end
    sendStatus.textContent = ui["send-failed"] + (detail ? " (" + detail + ")" : "");
  }

  form.noValidate = true;
  form.addEventListener("input", function () { applyConditions(); saveDraft(); });
  form.addEventListener("change", function () { applyConditions(); saveDraft(); });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    applyConditions();
    if (state.errors.length) {
      var first = state.errors[0], f = byId[first.field.split(".")[0]];
      if (f) goTo(visibleSteps().indexOf(f.step));
      showErrors(state.errors);
      return;
    }
    var confirm = $("#confirm");
    if (!confirm.checked) {
      showErrors([{ field: "confirm", code: "required", message: ui["confirm-required"] }]);
      return;
    }
    clearErrors();
    summary.hidden = true;
    // @if payment
    // Paying online offered: the send button clicked says how (online, or a fee notice).
    payChoice = ev.submitter && ev.submitter.name === "_payment" ? ev.submitter.value : "";
    noticeButton.disabled = true;
    // @end
    submitButton.disabled = true;
    sendStatus.textContent = ui.sending;
    send(0);
  });

  // @if sign-in
  // Sign-in with BundID (forms with `identity:`): after sign-in, back to this page rather than
  // the function's prefilled page (which a browser without script gets). What happens after
  // coming back (the prefill, locked answers, saving a draft) is in assets/sign-in.js, loaded
  // only on coming back from a sign-in this tab started: a citizen who never signs in neither
  // downloads it nor sends a refused request.
  var signIn = $("#sign-in");
  var asked = "formfabrik-sign-in:" + location.pathname;
  var store = function (f) { try { return f(sessionStorage); } catch (e) { return null; } };
  if (signIn) {
    var signInLink = $("#sign-in-link");
    signInLink.href = signInLink.href.replace(/&view=page$/, "");
    signInLink.addEventListener("click", function () { store(function (s) { s.setItem(asked, "1"); }); });
    if (store(function (s) { return s.getItem(asked); })) {
      // What sign-in.js uses of this script (names kept: the minifier renames locals only).
      window.formfabrikSignIn = { $: $, $$: $$, ui: ui, lang: lang, human: human, wrapper: wrapper, putAnswers: putAnswers, readAnswers: readAnswers, applyConditions: applyConditions, store: store, asked: asked };
      var more = doc.createElement("script");
      more.src = signIn.getAttribute("data-script");
      doc.head.appendChild(more);
    }
  }
  // @end

  // This browser's draft, if the citizen kept one (JSON.parse(null) is null: none kept).
  var saved;
  try { saved = JSON.parse(localStorage.getItem(draftKey)); } catch (e) { /* storage off or spoilt */ }
  if (saved) { draftInput.checked = true; putAnswers(saved); }
  applyConditions();
  $$(".step", form).forEach(function (s) { s.hidden = true; });
  goTo(0, true);
  // @end
})();
