# PowerShell wrapper: runs the same commands as build.sh (the README's two commands).
#   pwsh ./build.ps1 run PROG.c [ARGS...]
#   pwsh ./build.ps1 test
param([Parameter(ValueFromRemainingArguments = $true)][string[]]$Args)
$ErrorActionPreference = 'Stop'
& bash (Join-Path $PSScriptRoot 'build.sh') @Args
exit $LASTEXITCODE
