"""The model file's zip archive, read within limits that a damaged or crafted file cannot lift.

A model file is small next to what it may declare: a zip member states its
inflated size, a ``.npy`` header states a shape, and both can be edited. So
nothing is inflated before every declaration is known and checked:

* the members may declare at most ``MAX_RATIO`` times the bytes they hold
  (or ``MIN_BUDGET``, for small files): trained weights hardly compress, and
  deflate alone can pack a thousand bytes into one. The bytes they hold are
  the members' compressed sizes, never more than the file's size: bytes in
  front of the archive (a zip may start anywhere in a file) or between its
  members do not raise the budget, nor do members that overlap;
* ``model.json`` may be at most ``JSON_BASE + JSON_RATIO`` times those bytes,
  and is read no further than that;
* a ``.npy`` member's header (its dtype and shape) is read first, from its
  first bytes only, and the member's declared size must be exactly the
  header's plus the data it describes;
* data is then read in chunks of ``CHUNK_BYTES`` into an array of the checked
  shape, and a member is never read past its declared size (then its CRC-32
  is checked).

Value arrays (categories, class labels) are read ``VALUE_CHUNK_BYTES`` at a
time as Python values, so a column of strings never exists in memory padded
to its longest string, and a repeated value (an array of zeros) is refused on
the first chunk that holds it.

The caller (:mod:`sklearn_embed._model_file._persistence`) checks the shapes against each
other between the header pass and the data pass.
"""

import io
import json
import re
import tokenize
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from math import prod
from pathlib import Path

import numpy as np

DOCUMENT = "model.json"
CHUNK_BYTES = 256 << 10
VALUE_CHUNK_BYTES = 64 << 10
MIN_BUDGET = 64 << 20
MAX_RATIO = 256
JSON_BASE = 64 << 10
JSON_RATIO = 8
# Longest string a file stores (characters): one item of a chunk is at most CHUNK_BYTES.
MAX_STRING = CHUNK_BYTES // 4
# dtype kinds a member may hold: bool, int, unsigned, float, str; never objects.
KINDS = "biufU"
_MEMBER_NAME = re.compile(r"[A-Za-z0-9_]+\.npy")


class ModelFileError(ValueError):
    """The file is not a complete, valid sklearn-embed model file."""


@dataclass(frozen=True)
class Header:
    """What a ``.npy`` member declares: its dtype and shape, and where its data starts."""

    dtype: np.dtype
    shape: tuple
    offset: int

    @property
    def size(self):
        return prod(self.shape)


class ModelArchive:
    """A model file opened for checked reading; see the module's docstring.

    Open it with :meth:`open`; members are named without ``.npy``.
    """

    def __init__(self, archive, disk_size):
        self._archive = archive
        self._members = _checked_members(archive.infolist())
        # What the members hold: their compressed bytes, at most the file (overlapping members).
        held = sum(info.compress_size for info in self._members.values())
        self.held = min(held, disk_size)
        declared = sum(info.file_size for info in self._members.values())
        budget = max(MIN_BUDGET, MAX_RATIO * self.held)
        if declared > budget:
            raise ModelFileError(
                f"its members declare {declared:,} bytes inflated, more than {MAX_RATIO} times "
                f"the {self.held:,} bytes they hold: a damaged or crafted file (a zip bomb)."
            )

    @classmethod
    @contextmanager
    def open(cls, path):
        path = Path(path)
        with open(path, "rb") as file:
            disk_size = file.seek(0, io.SEEK_END)
            with zipfile.ZipFile(file) as archive:
                yield cls(archive, disk_size)

    @property
    def array_names(self):
        """The names of the ``.npy`` members, without the ending."""
        return sorted(name[: -len(".npy")] for name in self._members if name != DOCUMENT)

    def read_document(self):
        """``model.json`` parsed; at most ``JSON_BASE + JSON_RATIO * held`` bytes are read."""
        info = self._member(DOCUMENT)
        limit = JSON_BASE + JSON_RATIO * self.held
        if info.file_size > limit:
            raise ModelFileError(
                f"{DOCUMENT} declares {info.file_size:,} bytes, more than the {limit:,} members "
                f"of {self.held:,} bytes may hold."
            )
        with self._archive.open(info) as stream:
            text = stream.read(info.file_size)
        if len(text) != info.file_size:
            raise ModelFileError(f"{DOCUMENT} is shorter than its declared size (truncated).")
        try:
            return json.loads(text, object_pairs_hook=_unique_keys)
        except RecursionError:
            raise ModelFileError(f"{DOCUMENT} is nested too deeply to be a model's.") from None
        except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, huge integers
            raise ModelFileError(f"{DOCUMENT} is not valid JSON ({error}).") from None

    def header(self, name):
        """The :class:`Header` of member ``name``, read from its first bytes only."""
        info = self._member(f"{name}.npy")
        with self._archive.open(info) as stream:
            start = io.BytesIO(stream.read(min(info.file_size, 4096)))
        try:
            version = np.lib.format.read_magic(start)
            read = {
                (1, 0): np.lib.format.read_array_header_1_0,
                (2, 0): np.lib.format.read_array_header_2_0,
            }[version]
            shape, fortran_order, dtype = read(start)
        except (KeyError, ValueError, SyntaxError, TypeError, tokenize.TokenError) as error:
            raise ModelFileError(f"{name} has no valid .npy header ({error!r}).") from None
        _check_header(name, dtype, shape, fortran_order)
        header = Header(dtype, shape, start.tell())
        if info.file_size != header.offset + header.size * dtype.itemsize:
            raise ModelFileError(
                f"{name} declares {info.file_size:,} bytes, but its header describes "
                f"{header.offset + header.size * dtype.itemsize:,}."
            )
        return header

    def read_array(self, name, header):
        """The data of member ``name`` as an array of its checked ``header``."""
        array = np.empty(header.shape, header.dtype)
        with self._data(name, header) as stream:
            _read_into(stream, array.reshape(-1).view(np.uint8), name)
        return array

    def read_values(self, name, header):
        """The data of 1-D member ``name`` as a list of distinct Python values, chunk by chunk.

        Strings come back without their padding; a repeated value, a NaN or a
        string padded past its longest value is refused.
        """
        if len(header.shape) != 1:
            raise ModelFileError(f"{name} has shape {header.shape}, not one dimension.")
        per_chunk = max(1, VALUE_CHUNK_BYTES // header.dtype.itemsize)
        values, seen = [], set()
        with self._data(name, header) as stream:
            for start in range(0, header.size, per_chunk):
                count = min(per_chunk, header.size - start)
                chunk = np.empty(count, header.dtype)
                _read_into(stream, chunk.view(np.uint8), name)
                items = chunk.tolist()
                seen.update(items)
                if len(seen) != len(values) + len(items) or (
                    chunk.dtype.kind == "f" and np.isnan(chunk).any()
                ):
                    raise ModelFileError(f"{name} lists a category twice (or a NaN).")
                values.extend(items)
        if header.dtype.kind == "U" and header.dtype.itemsize // 4 > max([1, *map(len, values)]):
            raise ModelFileError(f"{name} is stored wider than its longest value.")
        return values

    def _member(self, name):
        if name not in self._members:
            raise ModelFileError(f"the member {name} is missing.")
        return self._members[name]

    @contextmanager
    def _data(self, name, header):
        """The stream of member ``name`` just past its header."""
        with self._archive.open(self._member(f"{name}.npy")) as stream:
            if len(stream.read(header.offset)) != header.offset:
                raise ModelFileError(f"{name} is truncated.")
            yield stream


def _checked_members(infos):
    """``{name: ZipInfo}`` of the archive, refusing anything its writer never makes."""
    members = {}
    for info in infos:
        name = info.filename
        if name in members:
            raise ModelFileError(f"the member {name} appears twice.")
        if name != DOCUMENT and not _MEMBER_NAME.fullmatch(name):
            raise ModelFileError(f"unexpected member {name!r}.")
        if info.flag_bits & 0x1 or info.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            raise ModelFileError(f"{name} is encrypted or compressed in an unknown way.")
        members[name] = info
    return members


def _check_header(name, dtype, shape, fortran_order):
    if dtype.kind not in KINDS or dtype.names is not None or dtype.subdtype is not None:
        raise ModelFileError(f"{name} has dtype {dtype}; a model file holds bool, numbers and str.")
    if not dtype.isnative or dtype.itemsize == 0 or fortran_order:
        raise ModelFileError(f"{name} has a byte order or layout that save never writes.")
    if dtype.kind == "U" and dtype.itemsize // 4 > MAX_STRING:
        raise ModelFileError(f"{name} holds strings of {dtype.itemsize // 4:,} characters.")
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise ModelFileError(f"{name} declares the shape {shape}.")


def _read_into(stream, view, name):
    """Fill the bytes ``view`` from ``stream``, ``CHUNK_BYTES`` at a time."""
    position = 0
    while position < len(view):
        n = stream.readinto(view[position : position + CHUNK_BYTES])
        if not n:
            raise ModelFileError(f"{name} is shorter than its header says (truncated).")
        position += n


def _unique_keys(pairs):
    document = dict(pairs)
    if len(document) != len(pairs):
        raise ModelFileError(f"{DOCUMENT} gives a key twice.")
    return document
