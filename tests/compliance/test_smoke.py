from hutong.compliance import runner
from hutong.compliance.rules import load

def test_smoke(db, org, system):
    print(len(load()))
    with db.transaction() as session:
        r = runner.run(session, system)
        print(r.rules, r.failing, r.opened)
    with db.transaction() as session:
        r = runner.run(session, system)
        print(r.rules, r.failing, r.opened, r.closed)
