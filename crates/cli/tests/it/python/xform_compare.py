"""Compares two XForms as ODK Collect reads them: the primary instance's tree, the binds, the
body's controls, the choice lists (secondary instances) and the translations. Prints every
difference and exits 1 when there is one. Usage: xform_compare.py REFERENCE.xml OTHER.xml"""
import sys
import xml.etree.ElementTree as ET

# pyxform writes typographic quotes as straight ones; Vigie keeps its catalogs' typography.
STRAIGHT = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})

NS = {"x": "http://www.w3.org/2002/xforms", "h": "http://www.w3.org/1999/xhtml"}


def strip(tag):
    return tag.split("}", 1)[-1]


def read(path):
    root = ET.parse(path).getroot()
    model = root.find("h:head/x:model", NS)
    instances = model.findall("x:instance", NS)
    primary = instances[0]

    def tree(node):
        attrs = {strip(k): v for k, v in node.attrib.items()}
        return (strip(node.tag), tuple(sorted(attrs.items())), (node.text or "").strip(), tuple(tree(c) for c in node))

    lists = {}
    for instance in instances[1:]:
        lists[instance.get("id")] = [
            tuple(sorted((strip(c.tag), (c.text or "").strip()) for c in item)) for item in instance.iter("{%s}item" % NS["x"])
        ]
    binds = {b.get("nodeset"): tuple(sorted((strip(k), v.strip()) for k, v in b.attrib.items())) for b in model.findall("x:bind", NS)}
    texts = {}
    for translation in model.findall("x:itext/x:translation", NS):
        lang = (translation.get("lang"), translation.get("default"))
        texts[lang] = {t.get("id"): "".join(v.itertext()).strip().translate(STRAIGHT) for t in translation.findall("x:text", NS) for v in t.findall("x:value", NS)}
    body = [
        (strip(e.tag), tuple(sorted((strip(k), v.replace(" ", "")) for k, v in e.attrib.items())))
        for e in root.find("h:body", NS).iter()
    ]
    return {"instance": tree(primary), "lists": lists, "binds": binds, "texts": texts, "body": body}


def main():
    a, b = read(sys.argv[1]), read(sys.argv[2])
    problems = []
    if a["instance"] != b["instance"]:
        problems.append("primary instances differ")
    for key in ("lists", "binds"):
        for name in sorted(set(a[key]) | set(b[key])):
            if a[key].get(name) != b[key].get(name):
                problems.append(f"{key} {name}: {a[key].get(name)!r:.300} != {b[key].get(name)!r:.300}")
    if set(a["texts"]) != set(b["texts"]):
        problems.append(f"languages: {sorted(a['texts'])} != {sorted(b['texts'])}")
    for lang in a["texts"]:
        ta, tb = a["texts"][lang], b["texts"].get(lang, {})
        for tid in sorted(set(ta) | set(tb)):
            if ta.get(tid) != tb.get(tid):
                problems.append(f"text {lang} {tid}: {ta.get(tid)!r} != {tb.get(tid)!r}")
    if a["body"] != b["body"]:
        for i, (x, y) in enumerate(zip(a["body"], b["body"])):
            if x != y:
                problems.append(f"body element {i}: {x} != {y}")
                break
        if len(a["body"]) != len(b["body"]):
            problems.append(f"body: {len(a['body'])} elements != {len(b['body'])}")
    for p in problems[:40]:
        print(p)
    print(f"{len(problems)} differences")
    sys.exit(1 if problems else 0)


main()
