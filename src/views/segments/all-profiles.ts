// The profiles of several segmentations (the insights export and the printed report), through the coordinator's
// cache so a profile already on screen is not computed twice.
import type { QueryCoordinator } from '../../db/coordinator.ts';
import type { SegmentationRecord } from '../../data/segments-store.ts';
import { segmentProfileSql, type ProfileColumns } from '../../analyses/segments/profile.ts';
import { decodeSegmentProfile, type SegmentProfileResult } from '../../analyses/segments/profile-decode.ts';

/** One profile per segmentation, in the order given. */
export async function allProfiles(
  coordinator: QueryCoordinator, segmentations: readonly SegmentationRecord[], cols: ProfileColumns,
): Promise<{ name: string; record: SegmentationRecord; profile: SegmentProfileResult }[]> {
  const out = [];
  for (const record of segmentations) {
    if (!cols.user_segments.includes(record.column)) continue;
    const t = await coordinator.cached(segmentProfileSql(record.column, cols));
    out.push({ name: record.name, record, profile: decodeSegmentProfile(t, record.column, cols) });
  }
  return out;
}
