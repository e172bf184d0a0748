"""HJ 212 framing: `##` + 4-digit length + data segment + 4-hex CRC + CRLF (HJ 212-2017 §6.3.1 表2).

The CRC is the standard's "ANSI CRC16" (附录A), which is NOT CRC-16/MODBUS: the register update is
`crc = (crc >> 8) ^ byte`, dropping the low byte (shared/reference/hj212.md §2).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _arc_table() -> tuple[int, ...]:
    out = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
        out.append(c)
    return tuple(out)


# HJ 212's CRC equals crc = T[(crc >> 8) ^ byte] with T the CRC-16/ARC byte table (hj212.md §2.2).
_T = _arc_table()
_T_NP = np.array(_T, dtype=np.uint16)
_HI_NP = (_T_NP >> 8).astype(np.uint8)
# The one byte that leaves the start state (high byte 0xFF) unchanged: left-padding with it lets
# packets of different lengths share one vectorised pass.
_PAD = 0xFF ^ int(np.flatnonzero(_HI_NP == 0xFF)[0])
_CHUNK = 4096


def crc(data: str) -> str:
    """CRC of a data segment as 4 upper-case hex digits (HJ 212-2017 附录A, over its UTF-8 bytes)."""
    reg = 0xFFFF
    for b in data.encode("utf-8"):
        reg = (reg >> 8) ^ b  # 附录A: XOR with the register's high byte, not MODBUS's `reg ^= b`
        for _ in range(8):
            lsb = reg & 1
            reg >>= 1
            if lsb:
                reg ^= 0xA001
    return f"{reg:04X}"


def crc_many(segments: list[bytes]) -> list[str]:
    """CRCs of many UTF-8 data segments at once (same result as `crc`, vectorised over packets)."""
    out: list[str] = []
    for start in range(0, len(segments), _CHUNK):
        chunk = segments[start:start + _CHUNK]
        width = max((len(s) for s in chunk), default=0)
        if width == 0:
            out.extend("FFFF" for _ in chunk)
            continue
        pad = bytes([_PAD])
        grid = np.frombuffer(b"".join(s.rjust(width, pad) for s in chunk), dtype=np.uint8)
        cols = np.ascontiguousarray(grid.reshape(len(chunk), width).T)
        state = np.full(len(chunk), 0xFF, dtype=np.uint8)
        for col in cols[:-1]:
            state = _HI_NP[state ^ col]
        final = _T_NP[state ^ cols[-1]]
        out.extend("FFFF" if not s else f"{int(v):04X}" for s, v in zip(chunk, final))
    return out


def frame(data: str) -> str:
    """Wrap a data segment into a complete packet: `##`, length, data, CRC and CRLF."""
    return f"##{len(data.encode('utf-8')):04d}{data}{crc(data)}\r\n"


def frame_many(segments: list[str]) -> list[str]:
    """`frame` for many data segments, with one vectorised CRC pass."""
    raw = [s.encode("utf-8") for s in segments]
    return [f"##{len(b):04d}{s}{c}\r\n" for s, b, c in zip(segments, raw, crc_many(raw))]


def build_packet(**fields) -> str:
    """A framed HJ 212 packet from `build_segment`'s fields."""
    return frame(build_segment(**fields))


def build_segment(*, mn: str, data_time: str, values: dict[str, dict[str, str]], cn: str = "2061",
                  st: str = "31", pw: str = "123456", qn: str | None = None, flag: int | None = 4,
                  pnum: int | None = None, pno: int | None = None, rf: bool = False) -> str:
    """An HJ 212 data segment; `values` maps a factor code to its suffixes, e.g. {"a21026": {"Avg": "35.2"}}."""
    head = [f"QN={qn}"] if qn else []
    head += [f"ST={st}", f"CN={cn}", f"PW={pw}", f"MN={mn}"]
    if flag is not None:
        head.append(f"Flag={flag}")
    if pnum is not None:
        head += [f"PNUM={pnum}", f"PNO={pno}"]
    if rf:
        head.append("RF=1")  # HJ 212-2025: present only on 补传 (resent) packets
    groups = [f"DataTime={data_time}"]
    groups += [",".join(f"{code}-{suffix}={v}" for suffix, v in sfx.items()) for code, sfx in values.items()]
    return ";".join(head) + ";CP=&&" + ";".join(groups) + "&&"


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame found on a line: its data segment and the CRC it carries (not yet checked)."""
    line: int
    data: str
    crc_text: str


@dataclass(frozen=True, slots=True)
class FrameError:
    """A line fragment that is not a well-formed frame."""
    line: int
    column: str
    message: str


def _is_hex4(text: str) -> bool:
    return len(text) == 4 and all(c in "0123456789abcdefABCDEF" for c in text)


def _frame_ends_at(line: str, end: int) -> bool:
    """Whether a 4-hex CRC sits at `end`, followed by the line's end or the next `##`."""
    return _is_hex4(line[end:end + 4]) and (end + 4 == len(line) or line.startswith("##", end + 4))


def split_line(number: int, line: str) -> list[Frame | FrameError]:
    """The frames on one line; several may be concatenated (hj212.md §10.1), so split on `##` + length."""
    # Fast path: one ASCII frame filling the line.
    if line.startswith("##") and line[2:6].isdigit() and line.isascii() and len(line) == int(line[2:6]) + 10:
        return [Frame(number, line[6:-4], line[-4:])]
    out: list[Frame | FrameError] = []
    pos = 0
    while pos < len(line):
        if not line.startswith("##", pos):
            out.append(FrameError(number, "packet", f"not an HJ 212 frame: expected '##' at character {pos + 1}"))
            break
        digits = line[pos + 2:pos + 6]
        if not (len(digits) == 4 and digits.isdigit()):
            out.append(FrameError(number, "length", f"length field {digits!r} is not 4 digits"))
            break
        declared, start = int(digits), pos + 6
        end = _segment_end(line, start, declared)
        if end is not None:
            out.append(Frame(number, line[start:end], line[end:end + 4]))
            pos = end + 4
            continue
        nxt = line.find("##", start)
        while nxt != -1 and line[nxt - 6:nxt - 4] != "&&":
            nxt = line.find("##", nxt + 2)
        stop = len(line) if nxt == -1 else nxt
        actual = stop - 4 - start
        out.append(FrameError(number, "length",
                              f"declared length {declared} but the data segment has {actual} characters"))
        pos = stop
    return out


def _segment_end(line: str, start: int, declared: int) -> int | None:
    """End of a data segment of `declared` characters (2017) or UTF-8 bytes (2025 notes), if a CRC follows."""
    if _frame_ends_at(line, start + declared):
        return start + declared
    raw = line[start:].encode("utf-8")
    try:
        chars = len(raw[:declared].decode("utf-8"))
    except UnicodeDecodeError:
        return None
    return start + chars if chars != declared and _frame_ends_at(line, start + chars) else None
