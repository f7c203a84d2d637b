#!/bin/sh
# Build the Debian package of Kiosque Santé from this repository.
#
#   packaging/build-deb.sh [--out DIR] [--no-venv] [--fast] [--python /usr/bin/python3]
#
# Result: DIR/kiosque-sante_<version>_<arch>.deb (DIR defaults to ./dist).
#
# The package carries its own virtual environment under /opt/kiosque-sante, built here
# with the Debian python3 (the one the kiosk will run) and the dependencies from PyPI.
# A venv holds absolute paths, so it is built inside a staging root at
# <stage>/opt/kiosque-sante and then made to point at /opt/kiosque-sante:
#   - the "#!" lines of bin/* and pyvenv.cfg are rewritten;
#   - nothing is byte-compiled during pip install (--no-compile); compileall then writes
#     the .pyc files with /opt/kiosque-sante paths (-s stage -p /), because
#     /opt is read-only for the service (ProtectSystem=strict) and Python could not
#     write them at run time;
#   - the build fails if the staging path is still written anywhere in the tree.
# bin/python stays a symbolic link to /usr/bin/python3, hence "Depends: python3 (>= X.Y), python3 (<< X.Y+1)".
#
# --no-venv stages the project wheel only (no dependencies, no venv): a package to look
# at, not one to install on a kiosk.
# --fast compresses with gzip -1 instead of xz: the same files in a larger .deb, built in
# seconds instead of minutes (xz of the venv is most of the build time). For the tests.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT="$REPO/dist"
PYTHON=/usr/bin/python3
WITH_VENV=1
COMPRESS="-Zxz"
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT=$2; shift 2 ;;
        --no-venv) WITH_VENV=0; shift ;;
        --fast) COMPRESS="-Zgzip -z1"; shift ;;
        --python) PYTHON=$2; shift 2 ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        *) echo "build-deb.sh : option inconnue $1" >&2; exit 2 ;;
    esac
done

for tool in dpkg-deb dpkg "$PYTHON"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "build-deb.sh : $tool manque (apt-get install dpkg-dev python3-venv)." >&2; exit 2; }
done

PACKAGE=kiosque-sante
PREFIX=/opt/kiosque-sante
VERSION=$(cd "$REPO" && "$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture)
PYVER=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
PYNEXT=$("$PYTHON" -c 'import sys; print("%d.%d" % (sys.version_info[0], sys.version_info[1] + 1))')

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiosque-deb.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
STAGE="$WORK/root"
DEST="$STAGE$PREFIX"
umask 022
mkdir -p "$DEST" "$OUT"

echo "1/5 wheel du projet"
# A venv brings its own pip (python3-venv): no python3-pip needed on the build machine. The
# package's own venv builds the wheel (its pip is removed below); without one, a throw-away venv.
if [ "$WITH_VENV" = 1 ]; then
    "$PYTHON" -m venv "$DEST"
    "$DEST/bin/python" -m pip install --quiet --no-compile --upgrade pip >/dev/null
    BUILDER="$DEST/bin/python"
else
    "$PYTHON" -m venv "$WORK/tools"
    BUILDER="$WORK/tools/bin/python"
fi
"$BUILDER" -m pip wheel --quiet --no-deps --wheel-dir "$WORK/wheel" "$REPO" >/dev/null
WHEEL=$(ls "$WORK"/wheel/*.whl)

if [ "$WITH_VENV" = 1 ]; then
    echo "2/5 environnement virtuel dans $PREFIX (dépendances depuis PyPI)"
    "$DEST/bin/python" -m pip install --quiet --no-compile "$WHEEL"
    SITE=$("$DEST/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    # The catalogues and the assets live at the top of the repository; the code also looks
    # for them inside the installed package (kiosk/locales, kiosk/assets).
    for data in locales assets; do
        if [ ! -d "$SITE/kiosk/$data" ]; then
            cp -R "$REPO/$data" "$SITE/kiosk/$data"
        fi
    done
    find "$SITE/kiosk" -name '__pycache__' -prune -exec rm -rf {} +
    rm -f "$SITE"/kiosk-*.dist-info/direct_url.json
    "$DEST/bin/python" -m pip uninstall --quiet --yes pip >/dev/null
    echo "3/5 chemins : $DEST -> $PREFIX"
    for f in "$DEST"/bin/*; do
        [ -f "$f" ] && [ ! -L "$f" ] || continue
        if head -c 2 "$f" | grep -q '^#!'; then
            sed -i "1s|^#!.*$DEST/bin/|#!$PREFIX/bin/|" "$f"
        fi
        sed -i "s|$DEST|$PREFIX|g" "$f"
    done
    sed -i "s|$DEST|$PREFIX|g" "$DEST/pyvenv.cfg"
    "$DEST/bin/python" -m compileall -q -j 0 -s "$STAGE" -p / "$DEST/lib" >/dev/null
    if grep -rIl --exclude='*.pyc' "$WORK" "$DEST" >/dev/null 2>&1; then
        echo "build-deb.sh : le chemin de construction reste dans :" >&2
        grep -rIl --exclude='*.pyc' "$WORK" "$DEST" >&2
        exit 1
    fi
else
    echo "2/5 sans environnement virtuel (--no-venv) : la wheel seule"
    mkdir -p "$DEST/wheels"
    cp "$WHEEL" "$DEST/wheels/"
fi

echo "4/5 service, réglages, documents"
install -D -m 0644 "$REPO/packaging/systemd/kiosque-sante.service" "$STAGE/lib/systemd/system/kiosque-sante.service"
install -D -m 0644 "$REPO/packaging/config/kiosk.toml" "$STAGE/etc/kiosque-sante/kiosk.toml"
install -D -m 0644 "$REPO/packaging/config/kivy-config.ini" "$STAGE/etc/kiosque-sante/kivy-config.ini"
install -D -m 0644 "$REPO/packaging/pam/kiosque-sante" "$STAGE/etc/pam.d/kiosque-sante"
install -D -m 0755 "$REPO/packaging/bin/kiosque-sante-admin" "$STAGE/usr/sbin/kiosque-sante-admin"
mkdir -p "$STAGE/usr/bin"
ln -s "$PREFIX/bin/kiosk" "$STAGE/usr/bin/kiosk"
DOC="$STAGE/usr/share/doc/$PACKAGE"
for f in README.md CONFIGURATION.md GUIDE-COMPTOIR.md; do
    install -D -m 0644 "$REPO/packaging/$f" "$DOC/$f"
done
install -m 0644 "$REPO/packaging/systemd/backend.conf.example" "$DOC/backend.conf.example"
install -m 0644 "$REPO/packaging/debian/copyright" "$DOC/copyright"

mkdir -p "$STAGE/DEBIAN"
for script in postinst prerm postrm; do
    install -m 0755 "$REPO/packaging/debian/$script" "$STAGE/DEBIAN/$script"
done
install -m 0644 "$REPO/packaging/debian/conffiles" "$STAGE/DEBIAN/conffiles"
SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s|@VERSION@|$VERSION|" -e "s|@ARCH@|$ARCH|" -e "s|@SIZE@|$SIZE|" \
    -e "s|@PYVER@|$PYVER|" -e "s|@PYNEXT@|$PYNEXT|" \
    "$REPO/packaging/debian/control.in" > "$STAGE/DEBIAN/control"
chmod -R u+rwX,go+rX,go-w "$STAGE"

echo "5/5 paquet"
DEB="$OUT/${PACKAGE}_${VERSION}_${ARCH}.deb"
# shellcheck disable=SC2086  # COMPRESS is one or two options
dpkg-deb --root-owner-group $COMPRESS --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"
