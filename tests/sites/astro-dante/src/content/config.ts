// Written for publish's tests: the shape of Dante's blog and pages collections.
import { defineCollection, z } from 'astro:content';

const seo = z.object({
    title: z.string().optional(),
    description: z.string().optional(),
    image: z.object({ src: z.string(), alt: z.string().optional() }).optional(),
    pageType: z.enum(['website', 'article']).default('website')
});

const blog = defineCollection({
    schema: z.object({
        title: z.string(),
        excerpt: z.string().optional(),
        publishDate: z.coerce.date(),
        updatedDate: z.coerce.date().optional(),
        isFeatured: z.boolean().default(false),
        tags: z.array(z.string()).default([]),
        seo: seo.optional()
    })
});

const pages = defineCollection({ schema: z.object({ title: z.string(), seo: seo.optional() }) });

export const collections = { blog, pages };
