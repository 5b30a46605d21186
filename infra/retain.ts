/**
 * Terraform addresses that scripts/infra/destroy.sh removes from the state
 * instead of destroying: the data bucket (customer data, and its KMS key,
 * without which the data is unreadable) and the audit bucket (Object Lock in
 * compliance mode: its records cannot be deleted before retention ends
 * anyway). The data bucket's policy is destroyed: it only grants access to
 * the distribution and role being deleted.
 */
export const RETAIN_ON_DESTROY = {
  include: /^aws_[a-z0-9_]+\.(data_bucket|audit_store)_[a-z0-9_]+$/,
  exclude: /^aws_s3_bucket_policy\.data_bucket_/,
};

export function retainedOnDestroy(address: string): boolean {
  return RETAIN_ON_DESTROY.include.test(address) && !RETAIN_ON_DESTROY.exclude.test(address);
}
