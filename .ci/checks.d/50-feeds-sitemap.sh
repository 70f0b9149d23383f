#!/usr/bin/env bash
# Real clients read the deployed output: the shipped site, built under a sub-path as on GitHub
# Pages, has its sitemap read by xmllint (well-formed, and valid against .ci/schemas/) and its
# Atom feeds read by Python's feedparser (any "bozo" problem fails).
set -euo pipefail
cd "$(dirname "$0")/../.."

site=target/site-deploy
base=https://org.github.io/news/
rm -rf "$site"
./target/release/communique build --output "$site" --base-url "$base"

# Sitemap: every sitemap file well-formed and valid; robots.txt names it.
sitemaps=("$site"/sitemap*.xml)
xmllint --noout "${sitemaps[@]}"
xmllint --noout --schema .ci/schemas/sitemap.xsd "${sitemaps[@]}"
grep -qx "Sitemap: ${base}sitemap.xml" "$site/robots.txt"
# The schema is not a formality: it refuses an entry without <loc> and a relative alternate.
broken=$(mktemp)
trap 'rm -f "$broken"' EXIT
sed -e '0,/<loc>[^<]*<\/loc>/s///' "$site/sitemap.xml" >"$broken"
if xmllint --noout --schema .ci/schemas/sitemap.xsd "$broken" 2>/dev/null; then
    echo "the sitemap schema accepted a <url> without <loc>" >&2
    exit 1
fi
sed -e "0,/href=\"https:\/\/org.github.io\/news\//s//href=\"\/news\//" "$site/sitemap.xml" >"$broken"
if xmllint --noout --schema .ci/schemas/sitemap.xsd "$broken" 2>/dev/null; then
    echo "the sitemap schema accepted a relative hreflang alternate" >&2
    exit 1
fi

# Feeds: one per language and per topic per language.
python3 - "$site" "$base" <<'PY'
import pathlib
import sys

import feedparser

site, base = pathlib.Path(sys.argv[1]), sys.argv[2]
feeds = sorted(site.glob("*/atom.xml")) + sorted(site.glob("*/topics/*/atom.xml"))
if len(feeds) < 4:
    sys.exit(f"expected feeds per language and topic, found {len(feeds)}")
for path in feeds:
    feed = feedparser.parse(path.read_bytes())
    if feed.bozo:
        sys.exit(f"{path}: {feed.bozo_exception}")
    if feed.version != "atom10":
        sys.exit(f"{path}: read as {feed.version!r}, not Atom 1.0")
    relative = path.relative_to(site).as_posix()
    self_links = [l.href for l in feed.feed.links if l.rel == "self"]
    if self_links != [base + relative] or feed.feed.id != base + relative:
        sys.exit(f"{path}: id and rel=self should be {base + relative}: {feed.feed.id}, {self_links}")
    if not feed.feed.title or not feed.feed.get("updated_parsed"):
        sys.exit(f"{path}: no title or updated")
    for entry in feed.entries:
        for key in ("id", "title", "link", "updated_parsed", "published_parsed"):
            if not entry.get(key):
                sys.exit(f"{path}: an entry has no {key}")
        if not entry.link.startswith(base) or not entry.id.startswith(base):
            sys.exit(f"{path}: {entry.link} is not under {base}")
        if not entry.content or entry.content[0].type != "text/html":
            sys.exit(f"{path}: {entry.id} has no HTML content")
    if len(feed.entries) > 20:
        sys.exit(f"{path}: {len(feed.entries)} entries, more than 20")
    if relative.count("/") == 1 and not feed.entries:
        sys.exit(f"{path}: a language feed with no entries")
print(f"feedparser read {len(feeds)} Atom feeds without a problem")
PY
echo "sitemap and feeds read by xmllint and feedparser"
