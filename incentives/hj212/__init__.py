"""HJ 212 (污染物在线监控（监测）系统数据传输标准, 2005/2017/2025) packets to tax records.

Public API: `parse_packets` (file text -> Hj212Result), `crc`, `frame`, `build_packet`, `FLAG_RULES`.
"""
from .codes import FLAG_RULES, MISSING_FLAG, NOT_COMPUTABLE, FlagRule, factors
from .frame import build_packet, build_segment, crc, crc_many, frame, frame_many
from .packets import COU_TOLERANCE, RECORD_COLUMNS, Hj212Error, Hj212Result, parse_packets

__all__ = ["COU_TOLERANCE", "FLAG_RULES", "MISSING_FLAG", "NOT_COMPUTABLE", "RECORD_COLUMNS", "FlagRule",
           "Hj212Error", "Hj212Result", "build_packet",
           "build_segment", "crc", "crc_many", "factors", "frame", "frame_many", "parse_packets"]
