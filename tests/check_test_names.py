#!/usr/bin/env python3
"""Fails when a Catch2 test name would not run under ctest as written:
catch_discover_tests splits a name at ';' (a CMake list separator) into
entries that match nothing, and a name starting with '-' is read as an
option. Usage: check_test_names.py TESTS_DIR"""
import pathlib
import re
import sys

NAME = re.compile(r'TEST_CASE(?:_METHOD)?\(\s*(?:\w+\s*,\s*)?((?:"(?:[^"\\]|\\.)*"\s*)+)', re.S)
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')

bad = []
for path in sorted(pathlib.Path(sys.argv[1]).rglob('*.cpp')):
    text = path.read_text(encoding='utf-8')
    for m in NAME.finditer(text):
        name = ''.join(LITERAL.findall(m.group(1)))
        if ';' in name or name.startswith('-'):
            line = text.count('\n', 0, m.start()) + 1
            bad.append(f'{path}:{line}: "{name}"')
for b in bad:
    print(b)
if bad:
    print(f'{len(bad)} test name(s) ctest cannot run as written: no ";" and no leading "-"')
    sys.exit(1)
print('every test name runs under ctest')
