# The theme's checks: Chromium (axe-core and keyboard tests), Java (the Nu Html Checker),
# and the npm packages vnu-jar and axe-core of .ci/package.json.
need_apt chromium default-jre-headless
command -v npm >/dev/null 2>&1 || need_apt nodejs npm
need_npm
