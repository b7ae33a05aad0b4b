// Hand-written mirror of proto/avro/quant/news/v1/NewsItem.avsc.

/** quant.news.v1.NewsItem: an article, announcement or research note, optionally scored. */
export interface NewsItem {
  eventId: string;
  /** Stable id of the story at its source. */
  newsId: string;
  source: string;
  url: string | null;
  title: string;
  summary: string | null;
  content: string | null;
  /** BCP 47, e.g. 'zh-CN'. */
  language: string;
  /** Instruments the item is about. */
  codes: string[];
  categories: string[];
  /** In [-1, 1]; null when not scored. */
  sentiment: number | null;
  sentimentModel: string | null;
  /** Epoch ms. */
  publishedAt: number;
  /** Epoch ms. */
  ingestedAt: number;
}
