import { describe, expect, it } from 'vitest';
import { Stages } from '../../../../shared/api/gates.js';
import { emptyGate, emptyQuestion, emptyStage, freshId, move, toStageRows, toStages, type StageRow } from '../../../../renderer/src/pages/reviews/policyDraft';
import { stageStates } from '../../../../renderer/src/pages/reviews/StagePipeline';

function twoStages(): StageRow[] {
  const security = { ...emptyStage(0, 'Security review'), gates: [{ ...emptyGate(0, 1, 'checklist'), questions: [{ ...emptyQuestion(1), text: 'Which paths?' }] }, emptyGate(0, 2)] };
  const owner = emptyStage(1, 'Owner approval');
  return [security, owner];
}

describe('the stage/gate editor draft', () => {
  it('turns rows into stages the contract accepts, and back without loss', () => {
    const rows = twoStages();
    rows[1]!.gates.push({ ...emptyGate(1, 2, 'evidence'), requires: 'sast_report, test_run' });
    const { stages, errors } = toStages(rows);
    expect(errors).toEqual([]);
    expect(Stages.safeParse(stages).success).toBe(true);
    expect(stages.map((s) => s.gates.map((g) => g.type))).toEqual([['checklist', 'approval'], ['approval', 'evidence']]);
    expect(stages[1]!.gates[1]).toEqual({ id: 'gate_2_2', type: 'evidence', requires: ['sast_report', 'test_run'] });
    expect(toStages(toStageRows(stages)).stages).toEqual(stages);
  });

  it('names each problem by the param path the server would use', () => {
    const rows = twoStages();
    rows[1]!.gates[0]!.id = rows[0]!.gates[1]!.id; // a gate id used twice
    rows[0]!.name = '';
    rows[0]!.gates[0]!.questions[0]!.text = '';
    rows[0]!.gates[1]!.required_approvals = '0';
    const { errors } = toStages(rows);
    expect(errors.map((e) => e.param).sort()).toEqual(['stages[0].gates[0].questions[0].text', 'stages[0].gates[1].required_approvals', 'stages[0].name', 'stages[1].gates[0].id'].sort());
    expect(toStages([]).errors).toEqual([{ param: 'stages', message: 'a policy has at least one stage' }]);
    const noKinds = [{ ...emptyStage(0, 'Evidence'), gates: [{ ...emptyGate(0, 1, 'evidence'), requires: ' , ' }] }];
    expect(toStages(noKinds).errors[0]?.param).toBe('stages[0].gates[0].requires');
  });

  it('reorders within bounds and hands out ids not yet used', () => {
    expect(move(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(move(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    const rows = twoStages();
    expect(freshId(rows, 'stage_')).toBe('stage_3');
    expect(freshId(rows, 'gate_1_')).toBe('gate_1_3');
  });
});

describe('the stage pipeline', () => {
  const gate = (status: 'missing' | 'approved' | 'waived' | 'conditional' | 'denied') => ({ id: 'g', label: 'g', type: 'approval', status });
  it('passes stages whose gates all passed, opens the first that has not, locks the rest', () => {
    const stages = [
      { id: 'a', name: 'A', gates: [gate('approved'), gate('waived')] },
      { id: 'b', name: 'B', gates: [gate('conditional'), gate('denied')] },
      { id: 'c', name: 'C', gates: [gate('approved')] },
    ];
    expect(stageStates(stages)).toEqual(['passed', 'open', 'locked']);
    expect(stageStates([{ ...stages[0]!, status: 'open' }, stages[2]!])).toEqual(['open', 'locked']);
  });
});
