#!/usr/bin/env python3
"""Write heldout.jsonl: labelled PII test texts for measuring how the
detector generalises beyond the templates it was tuned on.

The people, places, templates and value formats here differ on purpose from
the team corpus: names from many languages, names with particles and
hyphens, names without a cue word, UK, Canadian, Spanish and Australian
addresses, Spanish text, national phone numbers outside the US, lower-case
IBANs and National Insurance numbers, OCR confusions (O for 0, l for 1,
stray spaces) and numbers split across line breaks. Every labelled value is
valid for its type; the invalid look-alikes are unlabelled.

usage: python3 generate_heldout.py > heldout.jsonl
Offsets are Unicode code points, end exclusive, as in the team corpus.
"""
import json
import random
import string

rng = random.Random(20261204)

GIVEN = ["Wanjiru", "Thabo", "Siobhan", "Beatriz", "Ngozi", "Magnus", "Anh", "Rafael", "Lucía", "Chen",
         "Fatima", "Dmitri", "Amara", "Kwame", "Astrid", "Marguerite", "Álvaro", "Saoirse", "Hamid", "Yuki",
         "Jean-Luc", "Mary-Kate", "Olu", "Björn", "Tariq", "Esperanza", "Nikolai", "Aroha", "Ximena", "Declan",
         "Ifeoma", "Rohan", "Solveig", "Guillermo", "Mei", "Bongani", "Ottilie", "Catalina", "Emeka", "Henrike"]
FAMILY = ["Kamau", "Nkosi", "O'Neill", "Ortega", "Eze", "Berg", "Nguyen", "Medina", "Herrera", "Wei",
          "Zahra", "Volkov", "Diallo", "Mensah", "Holm", "Lefèvre", "Jiménez", "Byrne", "Rahimi", "Sato",
          "Girard", "Doyle", "Adebayo", "Ek", "Qureshi", "Villalobos", "Petrov", "Ngata", "Salazar", "McAllister",
          "van der Berg", "de la Cruz", "Abernathy-Cole", "Mwangi", "Lindgren", "Ferreira", "Oyelaran", "da Silva"]

US_STREETS = ["Birch Hollow Road", "Juniper Court", "Pinecrest Drive", "Riverside Boulevard", "Magnolia Way",
              "Old Mill Pike", "Sycamore Place", "Briarwood Circle", "Hawthorne Avenue", "Quarry Lane"]
US_CITIES = [("Asheville", "NC", "28801"), ("Tucson", "AZ", "85701"), ("Duluth", "MN", "55802"),
             ("Savannah", "GA", "31401"), ("Burlington", "VT", "05401"), ("Missoula", "MT", "59801"),
             ("Santa Fe", "NM", "87501"), ("Ann Arbor", "MI", "48104")]
UK_STREETS = ["Gorse Close", "Albion Terrace", "Mulberry Gardens", "Prospect Row", "Kingfisher Way", "Abbey Mews"]
UK_CITIES = [("Leeds", "LS6 2QF"), ("Bristol", "BS8 1TH"), ("Norwich", "NR2 4PD"), ("Cardiff", "CF10 3AT"),
             ("York", "YO1 7HH"), ("Glasgow", "G12 8QQ")]
CA_ADDRESSES = ["305 Rideau Street, Ottawa, ON K1N 5Y4", "88 Spadina Avenue, Toronto, ON M5V 2J4",
                "1410 Granville Street, Vancouver, BC V6Z 1L8"]
ES_STREETS = ["Calle de Alcalá", "Avenida de la Constitución", "Calle Mayor", "Paseo de Gracia", "Plaza del Pilar",
              "Calle San Vicente Mártir"]
ES_CITIES = [("28014", "Madrid"), ("41004", "Sevilla"), ("08007", "Barcelona"), ("50003", "Zaragoza"),
             ("46002", "Valencia")]
AU_ADDRESSES = ["12 Wattle Grove, Ballarat VIC 3350", "7 Banksia Street, Fremantle WA 6160"]

# National phone numbers in ranges that libphonenumber accepts, written as
# people write them in each country.
NATIONAL_PHONES = ["020 7946 0958", "0161 496 0753", "07700 900461", "912 345 678", "612 34 56 78",
                   "01 42 68 53 00", "06 12 34 56 78", "030 901820", "0151 23456789", "(02) 9374 4000",
                   "0412 345 678"]
INTERNATIONAL_PHONES = ["+44 20 7946 0958", "+34 912 345 678", "+61 2 9374 4000", "+27 21 555 0123",
                        "+49 30 901820", "+353 1 555 0147", "+52 55 5555 0123"]
US_PHONES = ["(415) 555-0134", "415.555.0178", "646-555-0199"]


def luhn_complete(prefix, length):
    digits = [int(c) for c in prefix]
    while len(digits) < length - 1:
        digits.append(rng.randrange(10))
    for check in range(10):
        total = 0
        for i, d in enumerate(reversed(digits + [check])):
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        if total % 10 == 0:
            return "".join(map(str, digits + [check]))
    raise AssertionError


def luhn_ok(number):
    total = 0
    for i, d in enumerate(reversed([int(c) for c in number])):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card():
    prefix, length = rng.choice([("4", 16), ("51", 16), ("2221", 16), ("37", 15), ("6011", 16)])
    return luhn_complete(prefix + "".join(rng.choice(string.digits) for _ in range(2)), length)


def group(number, sizes):
    out, i = [], 0
    for s in sizes:
        out.append(number[i:i + s])
        i += s
    return out


def card_text(number, sep=" "):
    sizes = [4, 6, 5] if len(number) == 15 else [4, 4, 4, 4]
    return sep.join(group(number, sizes))


def bad_card():
    n = card()
    last = str((int(n[-1]) + 1) % 10)
    return n[:-1] + last


IBAN_LENGTHS = {"GB": 22, "ES": 24, "NL": 18, "BE": 16, "PT": 25, "IE": 22, "AT": 20}


def iban():
    country = rng.choice(list(IBAN_LENGTHS))
    n = IBAN_LENGTHS[country]
    if country in ("GB", "NL", "IE"):
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + "".join(
            rng.choice(string.digits) for _ in range(n - 8))
    else:
        bban = "".join(rng.choice(string.digits) for _ in range(n - 4))
    rearranged = bban + country + "00"
    num = "".join(str(int(c, 36)) for c in rearranged)
    check = 98 - int(num) % 97
    return f"{country}{check:02d}{bban}"


def spaced(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def ssn():
    while True:
        area = rng.randrange(1, 900)
        if area != 666:
            break
    return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"


def nhs():
    while True:
        d = [rng.randrange(10) for _ in range(9)]
        s = sum(x * (10 - i) for i, x in enumerate(d))
        c = 11 - s % 11
        if c == 11:
            c = 0
        if c != 10:
            n = "".join(map(str, d)) + str(c)
            return f"{n[:3]} {n[3:6]} {n[6:]}"


def sin():
    n = luhn_complete(str(rng.choice([1, 2, 4, 5, 6, 7, 9])), 9)
    return f"{n[:3]} {n[3:6]} {n[6:]}"


def routing():
    while True:
        prefix = rng.choice(["01", "02", "06", "11", "21", "26", "31", "32", "07"])
        d = [int(c) for c in prefix] + [rng.randrange(10) for _ in range(6)]
        w = [3, 7, 1, 3, 7, 1, 3, 7]
        s = sum(a * b for a, b in zip(d, w))
        c = (10 - s % 10) % 10
        return "".join(map(str, d)) + str(c)


VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
VIN_VALUES = {**{str(i): i for i in range(10)}, **dict(zip("ABCDEFGH", range(1, 9))),
              **dict(zip("JKLMN", range(1, 6))), "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}


def vin():
    chars = [rng.choice(VIN_CHARS) for _ in range(17)]
    chars[0] = rng.choice("123459")
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    s = sum(VIN_VALUES[c] * w for c, w in zip(chars, weights))
    chars[8] = "X" if s % 11 == 10 else str(s % 11)
    return "".join(chars)


def nino():
    first = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    while first + second in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
        second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    digits = "".join(rng.choice(string.digits) for _ in range(6))
    return first + second, digits, rng.choice("ABCD")


def email(given, family):
    local = rng.choice([f"{given}.{family}", f"{given[0]}{family}", f"{family}{rng.randrange(10, 99)}"])
    local = "".join(c for c in local.lower() if c.isascii() and (c.isalnum() or c == "."))
    return f"{local}@{rng.choice(['example.com', 'mail.example.org', 'correo.example.es', 'example.co.uk'])}"


def person():
    return rng.choice(GIVEN), rng.choice(FAMILY)


def full(p):
    return f"{p[0]} {p[1]}"


def us_address():
    city, state, zip_code = rng.choice(US_CITIES)
    unit = rng.choice(["", f", Apt {rng.randrange(2, 40)}", f" Suite {rng.randrange(100, 900)}"])
    return f"{rng.randrange(10, 9999)} {rng.choice(US_STREETS)}{unit}, {city}, {state} {zip_code}"


def uk_address():
    city, postcode = rng.choice(UK_CITIES)
    flat = rng.choice(["", f"Flat {rng.randrange(1, 9)}, "])
    return f"{flat}{rng.randrange(1, 200)} {rng.choice(UK_STREETS)}, {city} {postcode}"


def es_address():
    code, city = rng.choice(ES_CITIES)
    return f"{rng.choice(ES_STREETS)} {rng.randrange(1, 120)}, {code} {city}"


def any_address():
    return rng.choice([us_address, uk_address, es_address, lambda: rng.choice(CA_ADDRESSES),
                       lambda: rng.choice(AU_ADDRESSES)])()


def ocr(number):
    """Apply one OCR confusion to a digit string: 0 read as O, 1 as l, or a
    stray space."""
    kinds = []
    if "0" in number:
        kinds.append("O")
    if "1" in number:
        kinds.append("l")
    kinds.append("space")
    kind = rng.choice(kinds)
    positions = [i for i, c in enumerate(number) if c.isdigit()]
    if kind == "O":
        i = rng.choice([i for i, c in enumerate(number) if c == "0"])
        return number[:i] + "O" + number[i + 1:]
    if kind == "l":
        i = rng.choice([i for i, c in enumerate(number) if c == "1"])
        return number[:i] + "l" + number[i + 1:]
    i = rng.choice([p for p in positions[1:-1] if number[p - 1].isdigit()] or positions[1:2])
    return number[:i] + " " + number[i:]


class Doc:
    def __init__(self):
        self.parts = []
        self.entities = []
        self.pos = 0

    def text(self, s):
        self.parts.append(s)
        self.pos += len(s)
        return self

    def pii(self, kind, s):
        self.entities.append({"type": kind, "begin": self.pos, "end": self.pos + len(s)})
        return self.text(s)

    def name(self, p):
        return self.pii("NAME", full(p))


FILLER = ["The build on the staging cluster passed.", "Lunch is on the third floor today.",
          "Quarterly Business Review slides are in the shared drive.", "Customer Success will follow up.",
          "See the New York office calendar for March.", "Happy New Year from the Platform Team!",
          "Version 3.2.1 of the Android app ships on Monday.", "Invoice INV-2025-0419 was paid in full.",
          "El equipo de Soporte revisará el caso mañana.", "Order 88213 shipped via Royal Mail.",
          "Room 4C is booked from 10:30 to 11:45.", "Google Drive and Microsoft Teams are both fine."]


def t_signoff(d):
    p = person()
    d.text("Thanks for the quick turnaround on the contract. ")
    d.text(rng.choice(["Best,\n", "Kind regards,\n", "Warm wishes,\n", "Cheers,\n"])).name(p)
    d.text("\n")
    d.pii("PHONE", rng.choice(NATIONAL_PHONES)).text(" | ").pii("EMAIL", email(*p))


def t_no_cue(d):
    p, q = person(), person()
    d.name(p).text(rng.choice([" approved the refund and ", " reviewed the pull request and ",
                               " signed the lease and "]))
    d.text(rng.choice(["asked ", "told ", "emailed "])).name(q).text(" to confirm by ")
    d.text(rng.choice(["Friday.", "the end of the month.", "noon tomorrow."]))


def t_meeting(d):
    p, q = person(), person()
    d.text("Attendees: ").name(p).text(", ").name(q).text(". ")
    d.text(rng.choice(FILLER))


def t_shipping(d):
    p = person()
    d.text("Ship to: ").name(p).text(", ").pii("ADDRESS", any_address()).text(". Tel. ")
    d.pii("PHONE", rng.choice(NATIONAL_PHONES + INTERNATIONAL_PHONES)).text(".")


def t_moved(d):
    p = person()
    d.text("Heads up: ").name(p).text(" moved to ").pii("ADDRESS", any_address())
    d.text(" last week, so please update the payroll record.")


def t_spanish_intro(d):
    p = person()
    d.text(rng.choice(["Hola, me llamo ", "Buenos días, soy ", "Le escribe "])).name(p)
    d.text(". Mi teléfono es el ").pii("PHONE", rng.choice(["912 345 678", "612 34 56 78", "+34 912 345 678"]))
    d.text(" y vivo en ").pii("ADDRESS", es_address()).text(".")


def t_spanish_payment(d):
    n = card()
    d.text("Por favor, cargue el importe a la tarjeta ").pii("CREDIT_DEBIT_NUMBER", card_text(n))
    d.text(", caducidad ").pii("CREDIT_DEBIT_EXPIRY", f"{rng.randrange(1, 13):02d}/{rng.randrange(27, 32)}")
    d.text(", código de seguridad ").pii("CREDIT_DEBIT_CVV", f"{rng.randrange(100, 1000)}")
    d.text(". Transferencias a la cuenta ").pii("INTERNATIONAL_BANK_ACCOUNT_NUMBER", spaced(iban())).text(".")


def t_spanish_patient(d):
    p = person()
    d.text("Paciente: ").name(p).text(". Correo: ").pii("EMAIL", email(*p))
    d.text(". Atentamente, ").name(person()).text(".")


def t_ocr_card(d):
    n = card()
    d.text("[scanned receipt]\nCARD NO ").pii("CREDIT_DEBIT_NUMBER", ocr(card_text(n)))
    d.text("\nAUTH CODE 0").text(str(rng.randrange(10000, 99999))).text("\nTHANK YOU FOR SHOPPING")


def t_ocr_iban(d):
    value = spaced(iban())
    d.text("Scanned form, field 7 (IBAN): ").pii("INTERNATIONAL_BANK_ACCOUNT_NUMBER", ocr(value)).text(".")


def t_ocr_ssn(d):
    d.text("Scan of W-4, line 2 SSN: ").pii("SSN", ocr(ssn())).text(". Signature illegible.")


def t_linebreak_card(d):
    n = card_text(card())
    cut = rng.choice([i for i, c in enumerate(n) if c == " "])
    d.text("Please bill the card ending in the number below:\ncard ")
    d.pii("CREDIT_DEBIT_NUMBER", n[:cut] + "\n" + n[cut + 1:]).text("\nthanks")


def t_linebreak_phone(d):
    d.text("For urgent matters call the on-call engineer at\n").pii("PHONE", rng.choice(INTERNATIONAL_PHONES))
    d.text(" or page ").name(person()).text(".")


def t_lower_iban(d):
    value = iban()
    d.text("pls wire it to ").pii("INTERNATIONAL_BANK_ACCOUNT_NUMBER", rng.choice([value, spaced(value)]).lower())
    d.text(" asap, ty")


def t_lower_nino(d):
    prefix, digits, suffix = nino()
    value = rng.choice([f"{prefix}{digits}{suffix}", f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"])
    d.text("my ni number is ").pii("UK_NATIONAL_INSURANCE_NUMBER", value.lower()).text(" if you need it for HMRC")


def t_nhs_letter(d):
    p = person()
    d.text("Re: ").name(p).text(" (NHS no. ").pii("UK_NATIONAL_HEALTH_SERVICE_NUMBER", nhs())
    d.text("), seen in clinic on 14 March. Next of kin: ").name(person()).text(", ")
    d.pii("PHONE", rng.choice(NATIONAL_PHONES[:3])).text(".")


def t_hr_canada(d):
    p = person()
    d.text("Onboarding checklist for ").name(p).text(": SIN ").pii("CA_SOCIAL_INSURANCE_NUMBER", sin())
    d.text(", direct deposit routing number ").pii("BANK_ROUTING", routing())
    d.text(", home address ").pii("ADDRESS", rng.choice(CA_ADDRESSES)).text(".")


def t_us_tax(d):
    p = person()
    d.text("Form prepared for ").name(p).text(", SSN ").pii("SSN", ssn()).text(", residing at ")
    d.pii("ADDRESS", us_address()).text(". Preparer phone ").pii("PHONE", rng.choice(US_PHONES)).text(".")


def t_ops(d):
    d.text("[ops] login from ").pii("IP_ADDRESS", f"198.51.100.{rng.randrange(1, 255)}")
    d.text(" by user ").pii("EMAIL", email(*person())).text(" on device ")
    mac = ":".join(f"{rng.randrange(256):02x}" for _ in range(6))
    d.pii("MAC_ADDRESS", mac).text("; see ").pii("URL", f"https://status.example.net/incidents/{rng.randrange(1000, 9999)}")


def t_keys(d):
    key = "AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    secret = "".join(rng.choice(string.ascii_letters + string.digits + "/+") for _ in range(40))
    d.text("Rotate these before Friday! access key: ").pii("AWS_ACCESS_KEY", key)
    d.text(" and the secret: ").pii("AWS_SECRET_KEY", secret)


def t_vehicle(d):
    p = person()
    d.text("Insurance claim: driver ").name(p).text(", chassis number ").pii("VEHICLE_IDENTIFICATION_NUMBER", vin())
    d.text(". Damage to the rear bumper.")


def t_negative(d):
    bad = bad_card()
    d.text(rng.choice(FILLER)).text(" Test card ").text(card_text(bad)).text(" is rejected by the checksum. ")
    d.text("Reference ").text(f"GB{rng.randrange(10, 99)} ABCD 1234 5678 9012 34").text(" is not an account. ")
    d.text(rng.choice(FILLER))


def t_negative_ocr(d):
    bad = bad_card()
    d.text("Scanned slip: CARD ").text(ocr(card_text(bad))).text(" (declined). ")
    d.text("Ticket ").text(f"{rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}").text(" closed. ")
    d.text(rng.choice(FILLER))


def t_negative_prose(d):
    d.text(" ".join(rng.sample(FILLER, 4)))


TEMPLATES = [t_signoff, t_no_cue, t_meeting, t_shipping, t_moved, t_spanish_intro, t_spanish_payment,
             t_spanish_patient, t_ocr_card, t_ocr_iban, t_ocr_ssn, t_linebreak_card, t_linebreak_phone,
             t_lower_iban, t_lower_nino, t_nhs_letter, t_hr_canada, t_us_tax, t_ops, t_keys, t_vehicle,
             t_negative, t_negative_ocr, t_negative_prose]


def main():
    for i in range(600):
        template = TEMPLATES[i % len(TEMPLATES)]
        d = Doc()
        template(d)
        text = "".join(d.parts)
        print(json.dumps({"id": f"heldout-{i:04d}", "text": text, "entities": d.entities,
                          "kind": template.__name__[2:]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
