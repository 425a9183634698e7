// Written for publish's tests: the shape of AstroWind's post collection.
import { z, defineCollection } from 'astro:content';

const metadataDefinition = () =>
  z.object({ title: z.string().optional(), canonical: z.string().url().optional() }).optional();

const postCollection = defineCollection({
  schema: z.object({
    publishDate: z.date().optional(),
    updateDate: z.date().optional(),
    draft: z.boolean().optional(),
    title: z.string(),
    excerpt: z.string().optional(),
    image: z.string().optional(),
    category: z.string().optional(),
    tags: z.array(z.string()).optional(),
    author: z.string().optional(),
    metadata: metadataDefinition(),
  }),
});

export const collections = { post: postCollection };
