#!/usr/bin/env bash
# The fixture fallback for a clone without ../shared/fixtures: downloads the pinned archives
# listed in scripts/fixtures.sha256 with curl, refuses any whose sha256 differs from the list,
# and unpacks them into target/fixtures (the layout ../shared/fixtures/unpack gives). Archives
# are kept in target/fixture-downloads, so a second run downloads nothing; an unpacked folder
# whose archive is unchanged is left alone.
#
# Usage:
#   scripts/fetch-fixtures.sh [DEST]              fetch and unpack into DEST (default target/fixtures)
#   scripts/fetch-fixtures.sh --verify-only DIR   only check the archives and folders in DIR
#                                                 against the list (no download, no unpacking)
# Environment: EMBER_FIXTURES_MIRROR=URL downloads NAME from URL/NAME instead of the listed
# upstream URL (a folder entry NAME/ from URL/NAME.tar.gz).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list="$here/fixtures.sha256"
[ -r "$list" ] || { echo "fetch-fixtures: $list not found" >&2; exit 2; }

# The list's entries, without comments and blank lines.
entries() { grep -vE '^[[:space:]]*(#|$)' "$list"; }
file_sum() { sha256sum "$1" | cut -d' ' -f1; }
# A folder's tree checksum: sha256 of the sha256sum lines of its files in byte order.
tree_sum() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1; }

if [ "${1:-}" = "--verify-only" ]; then
  dir=${2:?usage: fetch-fixtures.sh --verify-only DIR}
  [ -d "$dir" ] || { echo "fetch-fixtures: $dir is not a folder" >&2; exit 2; }
  bad=0
  while read -r name sum _; do
    path="$dir/$name"
    if [ ! -e "$path" ]; then
      echo "missing   $name"; bad=1; continue
    fi
    if [[ "$name" == */ ]]; then got=$(tree_sum "$path"); else got=$(file_sum "$path"); fi
    if [ "$got" = "$sum" ]; then
      echo "ok        $name"
    else
      echo "MISMATCH  $name: sha256 $got, the list pins $sum"; bad=1
    fi
  done < <(entries)
  [ "$bad" -eq 0 ] || { echo "fetch-fixtures: $dir does not match scripts/fixtures.sha256" >&2; exit 1; }
  echo "all fixtures match scripts/fixtures.sha256"
  exit 0
fi

dest=${1:-target/fixtures}
cache=target/fixture-downloads
command -v curl >/dev/null || { echo "fetch-fixtures: curl is required" >&2; exit 2; }
mkdir -p "$dest" "$cache"

# Downloads $2 (a file name in the mirror) or else URL $3 to $1, checking sha256 $4.
download() {
  local out="$1" mirror_name="$2" url="$3" sum="$4"
  if [ -f "$out" ] && [ "$(file_sum "$out")" = "$sum" ]; then
    return 0
  fi
  [ -z "${EMBER_FIXTURES_MIRROR:-}" ] || url="${EMBER_FIXTURES_MIRROR%/}/$mirror_name"
  echo "downloading $url"
  curl -fL --retry 3 --silent --show-error -o "$out.part" "$url"
  local got; got=$(file_sum "$out.part")
  if [ "$got" != "$sum" ]; then
    rm -f "$out.part"
    echo "fetch-fixtures: $url has sha256 $got; scripts/fixtures.sha256 pins $sum" >&2
    exit 1
  fi
  mv "$out.part" "$out"
}

while read -r name sum url keep; do
  if [[ "$name" == */ ]]; then
    folder=${name%/}
    if [ -d "$dest/$folder" ] && [ "$(tree_sum "$dest/$folder")" = "$sum" ]; then
      echo "$dest/$folder"; continue
    fi
    archive="$cache/$folder.tar.gz"
    # The archive of a folder is not pinned itself: the unpacked tree is checked below.
    rm -f "$archive"
    [ -z "${EMBER_FIXTURES_MIRROR:-}" ] || url="${EMBER_FIXTURES_MIRROR%/}/$folder.tar.gz"
    echo "downloading $url"
    curl -fL --retry 3 --silent --show-error -o "$archive" "$url"
    tmp=$(mktemp -d)
    tar -xzf "$archive" -C "$tmp"
    top=$(find "$tmp" -mindepth 1 -maxdepth 1)
    [ "$(printf '%s\n' "$top" | wc -l)" -eq 1 ] && [ -d "$top" ] \
      || { echo "fetch-fixtures: $url does not hold one top folder" >&2; rm -rf "$tmp"; exit 1; }
    rm -rf "${dest:?}/$folder"; mkdir -p "$dest/$folder"
    if [ -n "${keep:-}" ]; then
      IFS=',' read -r -a paths <<<"$keep"
      for p in "${paths[@]}"; do
        mkdir -p "$dest/$folder/$(dirname "$p")"
        cp -r "$top/$p" "$dest/$folder/$p"
      done
    else
      cp -r "$top/." "$dest/$folder/"
    fi
    rm -rf "$tmp"
    got=$(tree_sum "$dest/$folder")
    if [ "$got" != "$sum" ]; then
      rm -rf "${dest:?}/$folder"
      echo "fetch-fixtures: $folder from $url has tree sha256 $got; the list pins $sum" >&2
      exit 1
    fi
  else
    folder=${name%.tar.gz}
    archive="$cache/$name"
    download "$archive" "$name" "$url" "$sum"
    stamp="$dest/.$folder.sha256"
    if [ ! -d "$dest/$folder" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
      rm -rf "${dest:?}/$folder"
      tar -xzf "$archive" -C "$dest"
      printf '%s\n' "$sum" >"$stamp"
    fi
  fi
  echo "$dest/$folder"
done < <(entries)
