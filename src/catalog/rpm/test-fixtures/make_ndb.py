#!/usr/bin/env python3
"""Writes an rpm NDB `Packages.db` holding the header blobs of an rpmdb.sqlite.

The rpm here has no ndb backend, so this follows the on-disk layout of rpm's
lib/backend/ndb/rpmpkg.c (all integers little-endian):
  * slot page(s) of 4096 bytes; the first 32 bytes of page 0 are the db header
    ('RpmP', version 0, generation, slot page count, next package index);
  * 16-byte slots ('Slot', pkgidx, blkoff, blkcnt), blkoff 0 = free;
  * blobs in 16-byte blocks after the slot pages: head ('BlbS', pkgidx, timestamp,
    length), the header blob, zero padding, tail (adler32 of head+blob+padding,
    length, 'BlbE').
Usage: make_ndb.py rpmdb.sqlite Packages.db
"""
import sqlite3
import struct
import sys
import zlib

PAGE, SLOT, BLK = 4096, 16, 16
src, dst = sys.argv[1], sys.argv[2]
rows = sqlite3.connect(src).execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()

slot_pages = 1
blobs = bytearray()
slots = []
next_blk = slot_pages * PAGE // BLK
for hnum, blob in rows:
    blob = bytes(blob)
    head = struct.pack("<4I", 0x53626C42, hnum, 1700000000, len(blob))
    total = len(head) + len(blob) + 12
    blkcnt = (total + BLK - 1) // BLK
    pad = b"\0" * (blkcnt * BLK - total)
    adler = zlib.adler32(head + blob + pad)
    tail = struct.pack("<3I", adler, len(blob), 0x45626C42)
    blobs += head + blob + pad + tail
    slots.append((hnum, next_blk, blkcnt))
    next_blk += blkcnt

page = bytearray(PAGE)
struct.pack_into("<5I", page, 0, 0x506D7052, 0, len(rows) + 1, slot_pages, max(r[0] for r in rows) + 1)
for off in range(32, PAGE, SLOT):
    struct.pack_into("<I", page, off, 0x746F6C53)
for i, (pkgidx, blkoff, blkcnt) in enumerate(slots):
    struct.pack_into("<4I", page, 32 + i * SLOT, 0x746F6C53, pkgidx, blkoff, blkcnt)
with open(dst, "wb") as out:
    out.write(page + blobs)
