#!/bin/sh
# tests/integration/upgrade.sh made heavy: 50 upgrades under the same
# checked load (echo on the loop and on threads, /bin/cat), with up to
# 400 batches of 50 connections per service.  Run by "make system-check".
UPGRADES=50
LOAD_BATCHES=400
export UPGRADES LOAD_BATCHES
. "${top_srcdir}/tests/integration/upgrade.sh"
