# Deploy checks (.ci/checks.d/50-feeds-sitemap.sh): xmllint reads the sitemap against the
# schema in .ci/schemas/, feedparser reads the Atom feeds as a feed reader would.
need_apt libxml2-utils
need_pip feedparser
