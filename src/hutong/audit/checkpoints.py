"""Export signed checkpoints with the public key, for verification away from the platform, and
read such an export back (``hutong audit verify --checkpoints``)."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy.orm import Session

from hutong.audit.service import iter_checkpoints, signed_message
from hutong.core.errors import InvalidInput
from hutong.core.keys import public_key_id, public_key_pem, signing_key


def export_checkpoints(session: Session, path: Path) -> int:
    """Write {public_key, key_id, checkpoints:[{seq, hash, ts_us, signature}]}; returns count."""
    public = signing_key(session.info["settings"].keys_dir).public_key()
    points = [
        {
            "seq": cp.seq,
            "hash": cp.hash,
            "ts_us": cp.ts_us,
            "key_id": cp.key_id,
            "signature": cp.signature,
        }
        for cp in iter_checkpoints(session)
    ]
    document = {
        "public_key": public_key_pem(public),
        "key_id": public_key_id(public),
        "message_format": "hutong-audit-checkpoint|<seq>|<hash>",
        "checkpoints": points,
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return len(points)


def _unreadable(path: Path) -> InvalidInput:
    return InvalidInput(
        f"检查点文件 {path.name} 无法读取或不是 hutong audit export-checkpoints 的导出格式",
        f"{path.name} is not a readable checkpoint export",
        field="checkpoints",
    )


def read_exported(path: Path) -> dict[int, str]:
    """The (seq → hash) pairs of an export, each signature checked against the export's own
    public key: a file that is unreadable or altered cannot vouch for the chain, so it is
    refused as a whole rather than partly trusted."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        public = load_pem_public_key(document["public_key"].encode())
        points = {int(p["seq"]): str(p["hash"]) for p in document["checkpoints"]}
        signatures = {int(p["seq"]): bytes.fromhex(p["signature"]) for p in document["checkpoints"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise _unreadable(path) from error
    if not isinstance(public, Ed25519PublicKey):
        raise _unreadable(path)
    for seq, chain_hash in points.items():
        try:
            public.verify(signatures[seq], signed_message(seq, chain_hash))
        except InvalidSignature as error:
            raise InvalidInput(
                f"检查点文件中序号 {seq} 的签名无效，文件已被改动",
                f"the signature of checkpoint {seq} in the file is invalid",
                field="checkpoints",
            ) from error
    return points
