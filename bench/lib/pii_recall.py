#!/usr/bin/env python3
"""Generates the pii-recall corpus, runs `distillery curate` with the pii step over it, and scores the output.

Usage: pii_recall.py WORK DISTILLERY [--quick]

Each record plants one value in a sentence: either an identifier of one kind (which must leave the output) or a
look-alike of that kind (which must stay verbatim: Luhn-invalid card numbers, order numbers, IBANs with a wrong
checksum, SSNs in never-issued ranges, git hashes, UUIDs, camel-case identifiers...). Half the identifiers sit in the
text, half in another field (`author` or `notes`), since redaction covers every text field.

recall_<kind>: planted identifiers that no longer appear in the output (also with spaces and dashes removed, so a
half-redacted number counts as a miss). false_positive_rate_<kind>: look-alikes that did not survive verbatim.
"""
import base64, json, os, random, string, subprocess, sys

WORK, DISTILLERY = sys.argv[1], sys.argv[2]
QUICK = "--quick" in sys.argv
PER_KIND = 60 if QUICK else 600
rng = random.Random(42)

FIRST = ["anna", "jo", "li", "omar", "maria", "sven", "chen", "fatima", "olu", "ines", "raj", "kate"]
LAST = ["doe", "smith", "garcia", "nguyen", "mueller", "okafor", "rossi", "kim", "haddad", "silva"]
DOMAINS = ["example.com", "mail.example.org", "corp.example.net", "uni-example.edu", "example.co.uk"]
WORDS = ["report", "meeting", "invoice", "delivery", "contract", "review", "budget", "ticket", "order", "patch"]


def sentence(value):
    w = rng.sample(WORDS, 3)
    templates = ["Please check the {0} for {1}: {v}. Thanks.", "{v} was in the {0} about the {1}.",
                 "Re: {0} - see {v} before the {1} {2}.", "Note ({0}/{2}): {v}"]
    return rng.choice(templates).format(*w, v=value)


def luhn_digit(digits):
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = int(d)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(digits):
    return luhn_digit(digits[:-1]) == digits[-1]


def card(valid=True):
    prefix, length = rng.choice([("4", 16), ("51", 16), ("37", 15), ("6011", 16)])
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    digits = body + luhn_digit(body)
    if not valid:
        digits = digits[:-1] + str((int(digits[-1]) + rng.randint(1, 9)) % 10)
    sep = rng.choice(["", " ", "-"])
    return sep.join(digits[i:i + 4] for i in range(0, len(digits), 4)) if sep else digits


IBAN_COUNTRIES = {"DE": 22, "GB": 22, "FR": 27, "NL": 18, "ES": 24, "IT": 27, "CH": 21, "BE": 16, "PL": 28, "SE": 24}


def iban(valid=True):
    country = rng.choice(sorted(IBAN_COUNTRIES))
    n = IBAN_COUNTRIES[country] - 4
    if country in ("GB", "NL"):
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + "".join(rng.choice(string.digits) for _ in range(n - 4))
    else:
        bban = "".join(rng.choice(string.digits) for _ in range(n))
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(numeric) % 97
    if not valid:
        check = (check + rng.randint(1, 96)) % 97 or 1
        numeric_bad = "".join(str(int(c, 36)) for c in bban + country + f"{check:02d}")
        while int(numeric_bad) % 97 == 1:
            check = (check + 1) % 100
            numeric_bad = "".join(str(int(c, 36)) for c in bban + country + f"{check:02d}")
    value = f"{country}{check:02d}{bban}"
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4)) if rng.random() < 0.5 else value


def ssn(valid=True):
    if valid:
        area = rng.choice([a for a in range(1, 900) if a != 666])
        return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
    area = rng.choice([0, 666, rng.randint(900, 999)])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def dni(valid=True):
    letters = "TRWAGMYFPDXBNJZSQVHLCKE"
    number = rng.randint(10_000_000, 99_999_999)
    letter = letters[number % 23]
    if not valid:
        letter = rng.choice([c for c in letters if c != letter])
    return f"{number}{letter}"


def token(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


ALNUM = string.ascii_letters + string.digits


def secret():
    kind = rng.randrange(7)
    if kind == 0:
        return "AKIA" + token(string.ascii_uppercase + string.digits, 16)
    if kind == 1:
        return "ghp_" + token(ALNUM, 36)
    if kind == 2:
        return "sk-proj-" + token(ALNUM + "_-", 40)
    if kind == 3:
        return "xoxb-" + "-".join(token(string.digits, 12) for _ in range(2)) + "-" + token(ALNUM, 24)
    if kind == 4:
        return "AIza" + token(ALNUM + "_-", 35)
    if kind == 5:
        return "sk_live_" + token(ALNUM, 24)
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    body = base64.urlsafe_b64encode(json.dumps({"sub": token(string.digits, 8)}).encode()).decode().rstrip("=")
    return f"{header}.{body}.{token(ALNUM + '_-', 43)}"


def named_secret():
    name = rng.choice(["password", "api_key", "client_secret", "DB_PASSWORD", "token", "aws_secret_access_key"])
    sep = rng.choice(["=", ": ", " = ", "="])
    value = token(ALNUM + "!#%&*", rng.randint(10, 24))
    return f"{name}{sep}{value}", value


def random_key():
    return base64.b64encode(rng.randbytes(rng.choice([24, 30, 36]))).decode().rstrip("=")


def camel():
    parts = rng.sample(["Abstract", "Singleton", "Proxy", "Factory", "Bean", "Request", "Handler", "Adapter", "Account",
                        "Balance", "Service", "Controller", "Manager", "Provider", "Registry"], rng.randint(3, 5))
    return "".join(parts) + str(rng.randint(1, 2030))


def email():
    user = rng.choice(FIRST) + rng.choice([".", "_", ""]) + rng.choice(LAST) + rng.choice(["", str(rng.randint(1, 99)), "+news"])
    return f"{user}@{rng.choice(DOMAINS)}"


def phone():
    a, b, c = rng.randint(201, 989), rng.randint(200, 999), rng.randint(0, 9999)
    return rng.choice([f"+1 {a}-{b}-{c:04d}", f"({a}) {b}-{c:04d}", f"{a}.{b}.{c:04d}", f"+44 20 {rng.randint(1000, 9999)} {c:04d}",
                       f"+49 30 {rng.randint(100, 999)} {rng.randint(10000, 99999)}"])


def ip():
    if rng.random() < 0.7:
        return ".".join(str(rng.randint(1, 254)) for _ in range(4))
    return ":".join(f"{rng.randint(0, 65535):x}" for _ in range(8))


def url_credential():
    user, password = rng.choice(FIRST), token(ALNUM, 12)
    return f"https://{user}:{password}@db.example.com/prod", password


# kind -> (identifier generator returning (shown text, the secret part that must disappear), look-alike generator)
KINDS = {
    "email": (lambda: (email(),) * 2, lambda: (rng.choice(["@" + rng.choice(FIRST), "icon@2x.png", "v1.2.3@latest", "user at host"]),)),
    "phone": (lambda: (phone(),) * 2, lambda: (rng.choice([f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                                                           f"order {rng.randint(10_000, 99_999_999)}",
                                                           f"v{rng.randint(1, 9)}.{rng.randint(0, 99)}.{rng.randint(0, 999)}",
                                                           f"EUR {rng.randint(1, 999)},{rng.randint(100, 999)}.{rng.randint(10, 99)}"]),)),
    "ip": (lambda: (ip(),) * 2, lambda: (rng.choice([f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}",
                                                     f"{rng.randint(300, 999)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}"]),)),
    "card": (lambda: (card(True),) * 2, lambda: (rng.choice([card(False), f"#{rng.randint(10**11, 10**12 - 1)}"]),)),
    "iban": (lambda: (iban(True),) * 2, lambda: (iban(False),)),
    "ssn": (lambda: (ssn(True),) * 2, lambda: (ssn(False),)),
    "national_id_es": (lambda: (dni(True),) * 2, lambda: (dni(False),)),
    "secret_known_format": (lambda: (secret(),) * 2, lambda: (rng.choice([token("0123456789abcdef", 40), camel(),
                                                                           "123e4567-e89b-12d3-a456-426614174000".replace("1", str(rng.randint(0, 9))),
                                                                           "/usr/share/doc/" + rng.choice(WORDS) + "/changelog.Debian.gz"]),)),
    "secret_named": (named_secret, lambda: (rng.choice(["password reset sent", "token bucket", "secret santa list"]),)),
    "secret_unformatted": (lambda: (random_key(),) * 2, lambda: (camel(),)),
    "credential_url": (url_credential, lambda: ("https://db.example.com/" + rng.choice(WORDS),)),
}


def normalized(s):
    return s.replace(" ", "").replace("-", "").replace(".", "")


def main():
    os.makedirs(WORK, exist_ok=True)
    records, expect = [], []
    for kind, (make, lookalike) in KINDS.items():
        for i in range(PER_KIND):
            planted = i % 2 == 0
            shown, hidden = make() if planted else (lookalike()[0],) * 2
            field = "text" if (i // 2) % 2 == 0 else rng.choice(["author", "notes"])
            rec = {"id": f"{kind}-{i}", "text": sentence(shown) if field == "text" else sentence("nothing to see")}
            if field != "text":
                rec[field] = sentence(shown)
            records.append(rec)
            expect.append((rec["id"], kind, planted, hidden, field))
    rng.shuffle(records)
    src = os.path.join(WORK, "corpus.jsonl")
    with open(src, "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    config = os.path.join(WORK, "pii-only.yaml")
    with open(config, "w") as f:
        f.write("steps:\n  - pii\n")
    out = os.path.join(WORK, "redacted.jsonl")
    with open(os.path.join(WORK, "curate.log"), "w") as log:
        subprocess.run([DISTILLERY, "curate", src, "--out", out, "--config", config], stdout=log, stderr=subprocess.STDOUT, check=True)
    redacted = {}
    for line in open(out):
        r = json.loads(line)
        redacted[r["id"]] = r
    metrics, misses = {}, {}
    for kind in KINDS:
        hits = planted_n = fp = look_n = 0
        for rid, k, planted, hidden, field in expect:
            if k != kind:
                continue
            rec = redacted.get(rid)
            value = "" if rec is None else rec.get(field, "")
            if planted:
                planted_n += 1
                gone = hidden not in value and normalized(hidden) not in normalized(value)
                hits += gone
                if not gone:
                    misses.setdefault(kind, []).append(hidden)
            else:
                look_n += 1
                fp += hidden not in value
                if hidden not in value:
                    misses.setdefault(kind + " (look-alike changed)", []).append(hidden)
        metrics[f"recall_{kind}"] = hits / planted_n
        metrics[f"false_positive_rate_{kind}"] = fp / look_n
    metrics["recall_min"] = min(v for k, v in metrics.items() if k.startswith("recall_"))
    metrics["false_positive_rate_max"] = max(v for k, v in metrics.items() if k.startswith("false_positive_rate_"))
    metrics["records"] = len(records)
    metrics["records_out"] = len(redacted)
    json.dump(metrics, open(os.path.join(WORK, "metrics.json"), "w"), indent=1)
    with open(os.path.join(WORK, "misses.txt"), "w") as f:
        for k, values in misses.items():
            f.write(f"{k}: {len(values)}, e.g. {values[:5]}\n")
    for k, v in metrics.items():
        print(f"{k:40s} {v:.4f}" if isinstance(v, float) else f"{k:40s} {v}")
    print(open(os.path.join(WORK, "misses.txt")).read())


main()
