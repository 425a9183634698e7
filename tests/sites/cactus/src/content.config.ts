// Written for publish's tests: the shape of astro-theme-cactus's post collection.
import { defineCollection, z } from "astro:content";
import { glob } from "astro/loaders";

function lowercaseUnique(names: string[]) {
	return Array.from(new Set(names.map((n) => n.toLowerCase())));
}

const post = defineCollection({
	loader: glob({ base: "./src/content/post", pattern: "**/*.{md,mdx}" }),
	schema: ({ image }) =>
		z.object({
			title: z.string().max(60),
			description: z.string(),
			coverImage: z.object({ alt: z.string(), src: image() }).optional(),
			draft: z.boolean().default(false),
			ogImage: z.string().optional(),
			tags: z.array(z.string()).default([]).transform(lowercaseUnique),
			publishDate: z.string().or(z.date()).transform((val) => new Date(val)),
			updatedDate: z.string().optional().transform((str) => (str ? new Date(str) : undefined)),
		}),
});

export const collections = { post };
