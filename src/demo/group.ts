// The demo's group: its three blogs as the event "Social Media Camp 2008", so that a newcomer
// sees a group page (/g/social-media-camp-2008) with its programme beside the debate.
import { parseGroupFields } from '../registry/group-input.ts';
import { createGroup, type GroupDeps } from '../registry/groups.ts';
import type { DemoBlogs } from './blogs.ts';

/** The slug of the demo's group. */
export const demoGroupSlug = 'social-media-camp-2008';

/** Creates the demo's group of its three (registered) blogs, the days of the debate in Berlin. */
export async function createDemoGroup(deps: GroupDeps, blogs: DemoBlogs) {
  const fields = parseGroupFields(
    {
      slug: demoGroupSlug,
      title: 'Social Media Camp 2008',
      description: 'Sechs Tage im November 2008: Sachar schlägt ein Social Media Camp vor, planetsab antwortet mit einem Exkurs, der Freitag fragt, warum noch nichts passiert ist.',
      lang: 'de',
      from: '2008-11-12',
      to: '2008-11-17',
      timeZone: 'Europe/Berlin',
    },
    'Europe/Berlin',
  );
  if (!fields.ok) throw new Error(`the demo group is invalid: ${fields.message}`);
  return createGroup(deps, { fields: fields.fields, blogs: blogs.blogs.map((b) => b.homeUrl) });
}
