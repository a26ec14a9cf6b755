#!/usr/bin/env python3
"""Adds or replaces message entries in a pair of .resx files (neutral English + Russian).

Usage: resx-add.py <Base.resx path> <<< 'Key<TAB>English text<TAB>Russian text' lines on stdin.
Keeps the files sorted by key so diffs stay small.
"""
import sys, os
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

HEADER = '''<?xml version="1.0" encoding="utf-8"?>
<root>
  <resheader name="resmimetype"><value>text/microsoft-resx</value></resheader>
  <resheader name="version"><value>2.0</value></resheader>
  <resheader name="reader"><value>System.Resources.ResXResourceReader, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value></resheader>
  <resheader name="writer"><value>System.Resources.ResXResourceWriter, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value></resheader>
'''

def load(path):
    if not os.path.exists(path):
        return {}
    root = ET.parse(path).getroot()
    return {d.get('name'): (d.find('value').text or '') for d in root.findall('data')}

def save(path, entries):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(HEADER)
        for k in sorted(entries):
            f.write(f'  <data name="{escape(k)}" xml:space="preserve"><value>{escape(entries[k])}</value></data>\n')
        f.write('</root>\n')

base = sys.argv[1]
ru = base[:-len('.resx')] + '.ru.resx'
en_entries, ru_entries = load(base), load(ru)
for line in sys.stdin:
    line = line.rstrip('\n')
    if not line.strip():
        continue
    key, en, rus = line.split('\t')
    en_entries[key] = en
    ru_entries[key] = rus
save(base, en_entries)
save(ru, ru_entries)
