#!/usr/bin/env bash
# Installs the pinned Bicep CLI at .ci/tools/bicep (gitignored; .funcignore keeps .ci out of the app
# package). Bicep ships on NuGet as a package with the native binary inside: a throwaway project
# downloads that exact version with `dotnet restore`, then the package version, the binary's SHA-256
# and the version the binary reports are checked before it is installed. Needs the .NET SDK.
# Usage: bicep="$(bash .ci/install-bicep.sh)"   (prints only the binary's path on stdout, the rest on
# stderr; downloads nothing when the pinned binary is already there)
set -euo pipefail

BICEP_VERSION=0.49.2
PACKAGE=Azure.Bicep.CommandLine.linux-x64
# sha256sum of tools/bicep in Azure.Bicep.CommandLine.linux-x64 0.49.2.
BICEP_SHA256=0ab9de90c2493f206f8281bae74f9ee2d5ed3605548dab1adf41fef185e1f7c5

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.ci/tools/bicep"

is_pinned() { # is $1 the pinned binary?
  [ -x "$1" ] &&
    [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$BICEP_SHA256" ] &&
    "$1" --version | grep -Eq "^Bicep CLI version ${BICEP_VERSION//./\\.} \("
}

if is_pinned "$dest"; then
  echo "$dest"
  exit 0
fi

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "install-bicep: the pinned package is for linux-x64, this is $(uname -s)-$(uname -m)" >&2
  exit 1
fi
if ! command -v dotnet >/dev/null; then
  echo "install-bicep: needs the .NET SDK (dotnet) to download $PACKAGE from NuGet" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
tfm="net$(dotnet --version | cut -d. -f1).0"
cat >"$work/fetch-bicep.csproj" <<PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>$tfm</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="$PACKAGE" Version="[$BICEP_VERSION]" />
  </ItemGroup>
</Project>
PROJECT
echo "install-bicep: downloading $PACKAGE $BICEP_VERSION" >&2
dotnet restore "$work/fetch-bicep.csproj" --packages "$work/packages" --verbosity quiet >&2

package="$work/packages/$(echo "$PACKAGE" | tr '[:upper:]' '[:lower:]')/$BICEP_VERSION"
if ! grep -q "<version>$BICEP_VERSION</version>" "$package"/*.nuspec; then
  echo "install-bicep: the downloaded package is not version $BICEP_VERSION" >&2
  exit 1
fi
binary="$package/tools/bicep"
actual="$(sha256sum "$binary" | cut -d' ' -f1)"
if [ "$actual" != "$BICEP_SHA256" ]; then
  echo "install-bicep: SHA-256 of tools/bicep is $actual, expected $BICEP_SHA256" >&2
  exit 1
fi
chmod 755 "$binary"
if ! is_pinned "$binary"; then
  echo "install-bicep: the binary does not report version $BICEP_VERSION: $("$binary" --version)" >&2
  exit 1
fi
mkdir -p "$(dirname "$dest")"
cp "$binary" "$dest.partial"
mv "$dest.partial" "$dest"
"$dest" --version >&2
echo "$dest"
