"""Export signed checkpoints with the public key, for verification away from the platform."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from hutong.audit.service import iter_checkpoints
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
